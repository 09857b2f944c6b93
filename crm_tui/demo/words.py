"""Provides the demo's vocabulary: cities, companies, people, subjects, products and the
weights that shape a realistic book of business (Chinese and English side by side)."""

from __future__ import annotations

CN_CITIES = [
    "北京",
    "上海",
    "广州",
    "深圳",
    "杭州",
    "成都",
    "武汉",
    "南京",
    "苏州",
    "西安",
    "重庆",
    "天津",
    "长沙",
    "青岛",
    "厦门",
]
EN_CITIES = ["London", "Singapore", "New York", "Sydney", "Hamburg", "Dubai", "Toronto"]
CN_BRANDS = [
    "华信",
    "金桥",
    "宏达",
    "恒通",
    "瑞丰",
    "新科",
    "中天",
    "博远",
    "鼎盛",
    "海川",
    "嘉禾",
    "远航",
    "天成",
    "同创",
    "汇丰",
    "明德",
    "启航",
    "东方",
    "长城",
    "星辰",
    "云帆",
    "正泰",
    "万达",
    "凯旋",
    "永安",
    "卓越",
    "华夏",
    "盛世",
    "华宇",
    "金鼎",
]
CN_INDUSTRIES = [
    ("科技", "software"),
    ("贸易", "trading"),
    ("机械", "machinery"),
    ("钢管", "steel"),
    ("电子", "electronics"),
    ("物流", "logistics"),
    ("化工", "chemicals"),
    ("建材", "construction"),
    ("医疗器械", "medical"),
    ("食品", "food"),
    ("汽车配件", "automotive"),
    ("环保", "environmental"),
]
CN_SUFFIXES = ["有限公司", "股份有限公司", "集团有限公司"]
EN_BRANDS = [
    "Acme",
    "Northwind",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Hooli",
    "Vandelay",
    "Soylent",
    "Tyrell",
    "Cyberdyne",
    "Wonka",
    "Oceanic",
    "Aperture",
]
EN_INDUSTRIES = [
    ("Steel Pipe", "steel"),
    ("Software", "software"),
    ("Logistics", "logistics"),
    ("Medical", "medical"),
    ("Foods", "food"),
    ("Electronics", "electronics"),
]
EN_SUFFIXES = ["Ltd", "Inc", "GmbH", "Pte Ltd", "LLC"]
SURNAMES = [
    "王",
    "李",
    "张",
    "刘",
    "陈",
    "杨",
    "黄",
    "赵",
    "吴",
    "周",
    "徐",
    "孙",
    "马",
    "朱",
    "胡",
    "郭",
    "何",
    "高",
    "林",
    "罗",
    "欧阳",
    "司马",
]
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "华",
    "建国",
    "志强",
    "晓东",
    "海燕",
    "丹",
    "鹏",
    "婷",
]
EN_FIRST = [
    "James",
    "Mary",
    "Robert",
    "Linda",
    "Michael",
    "Sarah",
    "David",
    "Emma",
    "Oliver",
    "Sophie",
    "Lucas",
    "Mia",
    "Noah",
    "Chloe",
]
EN_LAST = ["Smith", "Brown", "Taylor", "Wilson", "Evans", "Walker", "Wright", "Green", "Hall"]
TITLES = [
    "总经理",
    "采购经理",
    "技术总监",
    "财务",
    "销售总监",
    "Purchasing Manager",
    "CTO",
    "Office Manager",
    "工程师",
    "老板",
]
STREETS = ["建国路", "人民路", "中山路", "解放路", "长安街", "南京路", "科技园路", "滨江大道"]
DISTRICTS = ["朝阳区", "海淀区", "浦东新区", "天河区", "南山区", "西湖区", "高新区", "江北区"]
SOURCES = ["referral", "exhibition", "website", "cold call", "partner", "advert"]
TAGS = ["vip", "key-account", "cold", "reseller", "gov", "export", "new"]
SUBJECTS = {
    "call": ["电话回访", "确认报价", "Follow up on quote", "催款", "Check delivery"],
    "visit": ["上门拜访", "现场演示", "Site visit", "工厂参观"],
    "meeting": ["商务谈判", "Product demo", "季度回顾", "Contract review"],
    "email": ["发送报价单", "Send brochure", "发送合同", "Send proposal"],
    "sms": ["节日问候", "Meeting reminder"],
    "task": ["准备投标文件", "Prepare quote", "整理样品", "Update price list"],
}
OUTCOMES = [
    "客户有兴趣，下周再联系",
    "需要更详细的报价",
    "Interested, wants a demo",
    "No answer, try again",
    "已下单",
    "Decision next month",
    "预算不足",
]
PRODUCTS = [
    ("无缝钢管", "DN50"),
    ("不锈钢阀门", "V-200"),
    ("PLC 控制柜", "S7-1200"),
    ("CRM license", "Pro"),
    ("Industrial pump", "P-45"),
    ("传感器", "TX-9"),
]
COMPETITORS = [
    ("宏远集团", "价格低", "交期长"),
    ("Globex Corp", "Brand", "Slow support"),
    ("恒达实业", "本地关系好", "质量不稳定"),
    ("Initrode", "Cheap", "Few features"),
    ("中联重工", "产品线全", "服务响应慢"),
    ("Massive Dynamic", "Global", "Expensive"),
]
ANNOUNCEMENTS = [
    ("Q4 冲刺：年底前签单奖金翻倍", "所有在 12 月 31 日前签订的合同，提成比例上调至 2 倍。"),
    (
        "New price list from December",
        "The 2027 price list applies to all quotes sent after "
        "1 December. Old quotes stay valid for 30 days.",
    ),
    ("报销新规", "出差住宿标准调整为一线城市每晚 600 元，其他城市 450 元。请附发票。"),
    ("Trade fair: Canton Fair booth 12.1", "Sign up with your manager if you want a slot."),
    ("系统升级通知", "本周五晚 22:00 服务器维护，期间同步暂停，本地使用不受影响。"),
]
ACTIVITY_KINDS = [
    ("call", 40),
    ("visit", 20),
    ("meeting", 10),
    ("email", 15),
    ("sms", 5),
    ("task", 10),
]
STAGE_WEIGHTS = [
    ("lead", 25),
    ("qualified", 20),
    ("proposal", 15),
    ("negotiation", 10),
    ("won", 18),
    ("lost", 12),
]
EXPENSE_STATUS_WEIGHTS = [
    ("draft", 20),
    ("submitted", 20),
    ("approved", 25),
    ("rejected", 10),
    ("reimbursed", 25),
]
