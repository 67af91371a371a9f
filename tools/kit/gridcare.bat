@echo off
rem 启动 gridcare。程序在 %LOCALAPPDATA%\Programs\gridcare\venv，数据在 %LOCALAPPDATA%\gridcare（见 安装说明.txt）。
"%LOCALAPPDATA%\Programs\gridcare\venv\Scripts\gridcare.exe" %*
if errorlevel 1 pause
