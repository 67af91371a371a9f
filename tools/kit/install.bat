@echo off
setlocal EnableDelayedExpansion
rem gridcare 离线安装：在本机建一个 Python 虚拟环境，只从本文件夹的 wheels 安装，不联网。
rem 本文件以 GBK 编码保存（tools/make_kit.py 写出），中文 Windows 的命令行按此读取。
cd /d "%~dp0"
rem 只用本工具包里的文件：忽略本机 pip 的任何设置
set "PIP_CONFIG_FILE=nul"
set "PIP_FIND_LINKS="
set "PIP_INDEX_URL="
set "PIP_EXTRA_INDEX_URL="
set "PIP_CONSTRAINT="
set "PIP_DISABLE_PIP_VERSION_CHECK=1"

set "PY="
for %%v in (3.13 3.12 3.11 3.10) do (
  if not defined PY (
    py -%%v-64 -c "import sys" >nul 2>&1 && set "PY=py -%%v-64"
  )
)
if not defined PY (
  python -c "import sys, struct; sys.exit(0 if (3, 10) <= sys.version_info[:2] <= (3, 13) and struct.calcsize('P') == 8 else 1)" >nul 2>&1 && set "PY=python"
)
if not defined PY (
  echo 没有找到 64 位的 Python 3.10 到 3.13。
  echo 请先安装 64 位 Python 3.12，安装时勾选 "Add python.exe to PATH"，再运行本程序。
  echo Windows 7 不能运行 Python 3.9 及以上版本（gridcare 需要 3.10）；32 位 Windows 缺少部分组件。请使用 64 位 Windows 10 或 11。
  pause
  exit /b 1
)

set "APPDIR=%LOCALAPPDATA%\Programs\gridcare"
set "VENV=%APPDIR%\venv"
echo 使用 %PY%，安装到 %VENV% ...
%PY% -m venv "%VENV%" || goto fail
"%VENV%\Scripts\python.exe" -m pip install --no-index --find-links "%~dp0wheels" --upgrade gridcare || goto fail
copy /y "%~dp0gridcare.bat" "%APPDIR%\gridcare.bat" >nul || goto fail
set "DESKTOP="
for /f "usebackq delims=" %%d in (`powershell -NoProfile -Command "[Environment]::GetFolderPath('Desktop')" 2^>nul`) do set "DESKTOP=%%d"
if defined DESKTOP copy /y "%~dp0gridcare.bat" "!DESKTOP!\gridcare.bat" >nul
"%VENV%\Scripts\gridcare.exe" --version || goto fail
echo.
echo 安装完成。双击桌面上的 gridcare.bat 启动，或运行 %APPDIR%\gridcare.bat
echo 建议在 Windows Terminal（Windows 终端）里使用，表格显示更整齐。
pause
exit /b 0

:fail
echo.
echo 安装没有完成，出错信息在上面。已有的数据没有任何改动。
pause
exit /b 1
