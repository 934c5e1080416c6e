"""The strings every page shares (header, navigation, errors), and how a page's are picked.

Each page keeps its own strings beside its router, as key → (Chinese, English): both languages
always have the same keys. `{name}` placeholders are filled in by `t()` in static/js/app.js.
"""

Strings = dict[str, tuple[str, str]]

LANGUAGES = ("zh", "en")
HTML_LANG = {"zh": "zh-CN", "en": "en"}

SHARED: Strings = {
    # revealing a masked phone with a purpose (the map's people, the callback list's callers)
    "reveal_purpose_label": ("查看目的（将记入审计日志）", "Purpose (recorded in the audit log)"),
    "reveal_confirm": ("确认查看", "Confirm"),
    "reveal_cancel": ("取消", "Cancel"),
    "reveal_pending": ("正在查看…", "Revealing…"),
    "reveal_logged": ("已记录查看", "access logged"),
    "reveal_error_purpose": (
        "请填写查看目的，至少 {n} 个字",
        "State the purpose, at least {n} characters",
    ),
    "product": ("一网统管 · onegrid", "onegrid · 一网统管"),
    "lang_switch": ("English", "中文"),
    "lang_switch_title": ("Switch to English", "切换到中文"),
    "nav_label": ("主导航", "Main navigation"),
    "nav_map": ("区域地图", "Map"),
    "api_docs": ("API 文档", "API docs"),
    "nav_hotline": ("来电登记", "12345 call"),
    "nav_callbacks": ("回访", "Callbacks"),
    "nav_reports": ("月度报告", "Monthly reports"),
    "nav_console": ("工作台", "Console"),
    "signed_in_as": ("{name}（{role}）", "{name} ({role})"),
    "scope_title": ("管辖范围", "Scope"),
    "sign_in_link": ("登录", "Sign in"),
    "logout": ("退出登录", "Sign out"),
    "error_network": (
        "无法连接服务器，请检查网络后重试",
        "cannot reach the server; check the network and try again",
    ),
    "error_http": ("服务器返回错误 {status}", "the server answered with error {status}"),
    "retry": ("重试", "Retry"),
    "close": ("关闭", "Close"),
    "pager_label": ("翻页", "Pages"),
    "pager_prev": ("上一页", "Previous"),
    "pager_next": ("下一页", "Next"),
    "pager_shown": ("第 {first}–{last} 条，共 {total} 条", "{first}–{last} of {total}"),
    "nav_tasks": ("我的任务", "My tasks"),
    "nav_patrol": ("巡查上报", "Patrol report"),
    "nav_inbox": ("部门待办", "Inbox"),
    "nav_area": ("辖区案件", "My area"),
    "nav_overview": ("指标总览", "Overview"),
    "nav_mediation": ("评理说事", "Mediation"),
    "bell_label": ("通知：{n} 条未读", "Notifications: {n} unread"),
    "nav_users": ("用户", "Users"),
    "nav_locks": ("登录锁定", "Sign-in locks"),
    "nav_categories": ("类别与时限", "Categories"),
    "nav_routing": ("派遣规则", "Routing"),
    "nav_calendar": ("工作日历", "Calendar"),
    "nav_audit": ("审计日志", "Audit log"),
    "nav_employment": ("就业台账", "Employment"),
}

ROLE_NAMES: Strings = {
    "citizen": ("群众", "citizen"),
    "grid_worker": ("网格员", "grid worker"),
    "community_staff": ("社区工作人员", "community staff"),
    "street_office": ("街道办", "street office"),
    "department_handler": ("部门处置人员", "department handler"),
    "command_centre": ("区指挥中心", "command centre"),
    "leader": ("领导", "leader"),
    "human_resources": ("人社局经办人员", "human resources handler"),
    "system_admin": ("系统管理员", "system admin"),
    "security_admin": ("安全管理员", "security admin"),
    "audit_admin": ("审计管理员", "audit admin"),
}


def pick(strings: Strings, lang: str) -> dict[str, str]:
    """Returns these strings in one language ("zh" or "en")."""
    index = LANGUAGES.index(lang)
    return {key: pair[index] for key, pair in strings.items()}


def page_strings(lang: str, own: Strings) -> dict[str, str]:
    """Returns a page's strings in this language: the shared ones and the page's own."""
    return pick({**SHARED, **own}, lang)


def other_language(lang: str) -> str:
    """Returns the language the page's switch link leads to."""
    return "en" if lang == "zh" else "zh"
