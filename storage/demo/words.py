"""Word lists for the demo generator: given names, places, what workers write down."""

# given names by sex and generation: children born after 2008, adults of the 1970s-90s, elders of the 1930s-60s
BOY_CHILD = "浩宇 子轩 宇航 俊杰 梓豪 博文 一鸣 天佑 家乐 明轩 泽宇 思远 嘉豪 锦程 晨阳 子墨 小龙 小虎 文博 睿 皓 宇 奕辰 铭 煜城".split()
GIRL_CHILD = "欣怡 梓涵 诗琪 雨萱 可欣 佳怡 思涵 一诺 雅婷 紫萱 梦琪 若汐 心怡 晓彤 语桐 小雨 佳琪 悦 静怡 妍 萌 子涵 雨桐 安琪 婉清".split()
MAN_ADULT = "伟 强 磊 军 勇 杰 涛 斌 超 明 刚 平 辉 建华 志强 海 鹏 波 亮 林 建军 晓东 国华 文斌 卫东".split()
WOMAN_ADULT = "丽 娟 敏 静 燕 艳 霞 红 芳 玲 琴 萍 华 红梅 丽娟 小燕 春梅 秀梅 海燕 雪 晓红 美玲 利萍 慧 娜".split()
MAN_OLD = "德福 富贵 长林 永安 建国 国强 庆丰 春生 水根 金山 福生 有才 占海 宝林 志明 荣 顺 德明 树林 保国 阿根 土根 解放 振华 茂松".split()
WOMAN_OLD = "秀英 桂英 玉兰 凤英 秀兰 桂兰 兰英 素珍 翠花 玉珍 淑珍 金凤 月娥 菊香 春兰 秀珍 玉梅 桂芳 彩娥 杏花 阿娣 梅仙 爱珍 巧云 银娣".split()

VILLAGES = ("柳溪 桃源 石桥 青山 杨家 上湾 下湾 东岭 西坞 南塘 北沟 新联 大坪 竹林 枫树 梅岭 河口 龙潭 高庄 白沙 "
            "双桥 横塘 金鸡 马家 花园 长乐 三友 仙潭 沈家 蔡界 丁家 秀水 红旗 太平 五四 永丰 联合 和平 茅山 桑园").split()
TOWNSHIPS = ("新市 洛舍 钟管 禹越 雷甸 莫干山 武康 乾元 新安 下渚湖 阜溪 舞阳 三合 筏头 庾村 劳岭 后坞 对河口 燎原 "
             "高桥").split()
ROADS = "村口 后山 河边 老街 祠堂边 学校旁 桥头 山脚 竹园 晒场边 新屋 上坞 塘边 老屋基".split()
NUMERALS = "一二三四五六七八九十"

# guardian relation -> (sex, whose surname: "child" | "mother" | "other")
RELATIONS = {
    "祖父": ("M", "child"), "祖母": ("F", "other"), "外祖父": ("M", "mother"), "外祖母": ("F", "other"),
    "叔叔": ("M", "child"), "伯伯": ("M", "child"), "姑姑": ("F", "child"), "舅舅": ("M", "mother"), "姨妈": ("F", "mother"),
}
RELATION_WEIGHTS = {"祖父": 22, "祖母": 38, "外祖父": 7, "外祖母": 12, "叔叔": 5, "伯伯": 3, "姑姑": 5, "舅舅": 4, "姨妈": 4}

# observations per dimension; the child/elder/adult lists override the shared one
OBSERVATIONS = {
    "economy": ["低保金按时到账", "粮油充足，生活基本有保障", "冬季取暖用品不足", "日常开支紧张", "家中有存粮，衣被齐全"],
    "health": ["身体状况良好", "近期感冒已好转", "睡眠不好", "精神状态不错"],
    "education": ["按时上学，成绩中等", "作业有人辅导", "有厌学情绪，已与老师沟通", "周末在家看电视时间较长", "在校表现良好"],
    "housing": ["房屋安全，卫生整洁", "屋顶有漏雨，已登记维修", "电线老化，需更换", "厨房燃气管道已检查", "院子积水，已提醒清理"],
    "employment": ["无劳动能力", "在村里做零工", "在家务农", "在福利企业上班"],
    "social": ["邻居常来照看", "与家人联系少", "村里志愿者每周上门"],
}
OBSERVATIONS_CHILD = {
    "economy": ["家庭收入主要靠父母外出务工寄钱", "享受困境儿童生活补贴", "学习用品齐全"],
    "health": ["身体健康，饮食正常", "视力下降，建议配镜", "性格内向，不爱说话", "情绪稳定，爱笑"],
    "social": ["父母每周视频通话", "父母春节回家", "监护人照料尽责", "和同学相处融洽", "想念父母"],
}
OBSERVATIONS_ELDER = {
    "economy": ["养老金按时领取", "子女每月寄生活费", "家庭收入主要靠养老金"],
    "health": ["血压偏高，按时服药", "腿脚不便，行动缓慢", "糖尿病，血糖控制尚可", "听力下降，需大声说话", "记性变差"],
    # 老伴, 子女: written only of an elder whose household has them (TAKES_FOR_GRANTED below)
    "social": ["子女每周打电话", "邻居常来串门", "常去村里老年活动室", "儿女在外地，很少回家", "老伴照顾日常起居"],
}
OBSERVATIONS_DISABLED = {
    "health": ["康复训练坚持得好", "长期卧床，家属护理", "按时服药，病情稳定", "轮椅需要维修"],
    "social": ["家属照护尽心", "很少出门，与外界交流少"],
}
NOTES_CHILD = ["一切正常", "叮嘱防溺水", "和孩子谈心，情绪稳定", "提醒监护人注意用电安全", "送去学习用品", "与班主任沟通了学习情况", ""]
NOTES_ELDER = ["一切正常", "已提醒注意用电安全", "下次带降压药", "已联系村医上门", "老人想念子女", "帮助填写救助申请", "提醒天冷添衣", ""]
NOTES_DISABLED = ["一切正常", "已联系村医上门", "帮助申请辅助器具", "提醒家属按时翻身", "帮助办理残疾人补贴", ""]
RESIDENT_NOTES = {
    "child": ["父母在外省务工", "父亲在外地打工，母亲改嫁", "由祖辈照看", ""],
    "elder": ["儿子在外地务工", "女儿嫁到外县，逢年过节回来", "老伴已过世", "子女在城里工作", ""],
    "disabled": ["由家属照护", "享受两项补贴", "需定期康复", ""],
}

# agency -> (reasons, outcomes)
REFERRALS = {
    "minzheng": (["申请临时救助", "申请低保", "申请特困供养"], ["临时救助已发放", "已纳入低保", "已办理"]),
    "clinic": (["需要上门体检", "慢性病随访", "需要配药"], ["村医已上门", "已安排体检", "已建立健康档案"]),
    "disabled_fed": (["申请辅助器具", "申请康复服务", "残疾证年审"], ["轮椅已发放", "已安排康复训练", "已办理"]),
    "school": (["学习困难需帮扶", "辍学风险", "需要心理辅导"], ["学校已安排结对帮扶", "已返校", "心理老师已介入"]),
    "police": (["疑似走失风险", "家庭暴力线索"], ["已备案", "已上门核实"]),
    "women_fed": (["家庭矛盾需调解", "监护人监护不当"], ["已调解", "已上门劝导"]),
}
REFERRAL_AGENCIES_BY_GROUP = {
    "child": ["school", "women_fed", "minzheng", "police", "clinic"],
    "elder": ["clinic", "minzheng", "police"],
    "disabled": ["disabled_fed", "clinic", "minzheng"],
}

RISK_UP = {
    "child": ["监护人外出，无人照看", "监护人年老体弱", "家庭发生重大变故", "有辍学倾向", "情绪异常，需关注"],
    "elder": ["独居且行动不便", "身体状况变差", "房屋存在安全隐患", "近期摔倒过", "子女联系不上"],
    "disabled": ["护理人员不足", "身体状况变差", "房屋存在安全隐患", "家庭经济困难"],
}
RISK_EMERGENCY = {
    "child": ["监护人突发重病住院，无人照看", "疑似遭受虐待"],
    "elder": ["老人走失，已报警寻找", "突发疾病，独自在家"],
    "disabled": ["护理人住院，无人照护", "房屋倒塌风险"],
}
# why a level went down, as fits the person (监护 is a child's word; the household's words: TAKES_FOR_GRANTED)
RISK_DOWN = {
    "child": ["情况稳定，降低等级", "问题已解决", "监护落实到位", "父母已回家照顾"],
    "elder": ["情况稳定，降低等级", "问题已解决", "已安排邻居每日照看", "子女已回家照顾"],
    "disabled": ["情况稳定，降低等级", "问题已解决", "护理人员已落实", "家属已回家照护"],
    "adult": ["情况稳定，降低等级", "问题已解决", "家庭矛盾已调解", "病情好转，已出院"],
}
RISK_INITIAL = "登记时评估"
# the remark made when a case is closed, by its reason (the demo's closings: storage/demo/grid.py)
CLOSE_NOTES = {
    "aged_out": ["已超龄，已告知监护人", "已超龄，转为一般走访", ""],
    "moved_away": ["随子女迁往县城居住，已核实", "户籍迁往外省，已告知迁入地民政办", "已迁往外地居住，村委会已核实", ""],
    "deceased": ["家属告知，已核实死亡证明", "病逝，村委会已核实", ""],
    "no_longer_eligible": ["父母已返乡照顾，不再属于留守", "家庭收入已超过标准，经评议退出", "病愈，已恢复正常生活", ""],
}

# issue #15: adults who are key persons neither as elders nor as disabled people (留守妇女, 重病患者)
OBSERVATIONS_ADULT = {
    "health": ["身体状况良好", "按时复查，病情稳定", "化疗期间，体力较差", "劳累，腰疼"],
    "employment": ["在家务农，照顾老人孩子", "在附近厂里做临时工", "因病无法工作"],
    "social": ["丈夫每周打电话回家", "邻居常来帮忙", "参加村里妇女小组活动"],
}
NOTES_ADULT = ["一切正常", "提醒按时复查", "帮助申请大病救助", "介绍了妇联的帮扶项目", ""]
RESIDENT_NOTES["adult"] = ["丈夫在外省务工", "丈夫常年在外打工，独自照顾老人和孩子", "长期住院治疗", "需定期复查", ""]
RISK_UP["adult"] = ["家庭经济困难", "身体状况变差", "家庭矛盾", "独自承担照护压力", "情绪低落，需关注"]
RISK_EMERGENCY["adult"] = ["突发疾病住院，家中老人孩子无人照料", "家庭暴力线索"]
REFERRAL_AGENCIES_BY_GROUP["adult"] = ["women_fed", "clinic", "minzheng"]

# who a paired helper (结对帮扶人) works for
HELPER_UNITS = ["村委会", "村党支部", "镇政府", "镇中心小学", "镇卫生院", "镇妇联", "镇民政办", "志愿者协会", "镇团委"]


# What a phrase takes for granted about the person's household; the demo writes it only of a person for whom
# it holds (storage/demo/grid.py household_facts), so an 独居老年人's record never reads 老伴照顾日常起居, a
# 孤寡老年人's (no spouse, no children) never 子女每周打电话, an orphan's never 父母每周视频通话.
# Facts: children (has children), spouse (lives with a spouse), alone (lives alone), widowed; parent_away (a
# parent works away), both_away, father_away_mother_gone, grandparent (the guardian); husband_away (a
# left-behind woman), woman, ill (a seriously ill adult).
TAKES_FOR_GRANTED = {
    "子女每月寄生活费": "children", "子女每周打电话": "children", "儿女在外地，很少回家": "children",
    "老人想念子女": "children", "子女联系不上": "children", "子女已回家照顾": "children",
    "儿子在外地务工": "children", "女儿嫁到外县，逢年过节回来": "children", "子女在城里工作": "children",
    "老伴": "spouse", "老伴照顾日常起居": "spouse", "独居且行动不便": "alone", "突发疾病，独自在家": "alone",
    "老伴已过世": "widowed",
    "父母每周视频通话": "parent_away", "父母春节回家": "parent_away", "想念父母": "parent_away",
    "家庭收入主要靠父母外出务工寄钱": "parent_away", "父母已回家照顾": "parent_away", "父母在外省务工": "both_away",
    "父亲在外地打工，母亲改嫁": "father_away_mother_gone", "由祖辈照看": "grandparent",
    "丈夫在外省务工": "husband_away", "丈夫常年在外打工，独自照顾老人和孩子": "husband_away",
    "丈夫每周打电话回家": "husband_away", "参加村里妇女小组活动": "woman", "在家务农，照顾老人孩子": "husband_away",
    "长期住院治疗": "ill", "需定期复查": "ill", "按时复查，病情稳定": "ill", "化疗期间，体力较差": "ill",
    "因病无法工作": "ill", "病情好转，已出院": "ill", "帮助申请大病救助": "ill", "提醒按时复查": "ill",
    "突发疾病住院，家中老人孩子无人照料": "ill", "父母已返乡照顾，不再属于留守": "parent_away",
    "病愈，已恢复正常生活": "ill", "随子女迁往县城居住，已核实": "children",
}


def fitting(options: list[str], facts: frozenset[str]) -> list[str]:
    """The phrases of `options` that hold for a person with these household facts (every list keeps some
    that hold for anyone)."""
    return [o for o in options if o not in TAKES_FOR_GRANTED or TAKES_FOR_GRANTED[o] in facts]


# an elder's household by category: 独居 lives alone, 空巢 is an elderly couple whose children live away,
# 留守 has all children away (with a spouse or not: neither is said), 孤寡 has no spouse and no children
ELDER_FACTS = {"solitary_elder": {"children", "alone", "widowed"}, "empty_nest_elder": {"children", "spouse"},
               "left_behind_elder": {"children"}, "widowed_childless_elder": {"alone", "widowed"}}


def household_facts(group: str, cats: list[str], guardian_relation: str, sex: str,
                    fields: dict) -> frozenset[str]:
    """What holds of a person's household (TAKES_FOR_GRANTED), from what the demo registers of them."""
    facts: set[str] = set()
    if group == "child":
        father, mother = fields.get("father_status"), fields.get("mother_status")
        facts.update(name for name, holds in (
            ("parent_away", "away" in (father, mother)), ("both_away", father == mother == "away"),
            ("father_away_mother_gone", father == "away" and mother == "unknown"),
            ("grandparent", "祖" in guardian_relation)) if holds)
    elif group == "adult":
        facts.update({"left_behind_woman": {"husband_away", "woman"}, "seriously_ill": {"ill"}}[cats[0]])
        if sex == "F":
            facts.add("woman")
    for category in cats:  # an elder (or a disabled person who is an elder too)
        facts.update(ELDER_FACTS.get(category, ()))
    if "alone" in facts:
        facts.discard("spouse")  # 独居 wins over a second elder category's couple
    return frozenset(facts)
