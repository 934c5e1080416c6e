"""The district map at `/`: streets, communities and grids, a grid's people, point lookup."""

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from onegrid import API_PREFIX
from onegrid.config import get_settings
from onegrid.core.access import public
from onegrid.core.levels import Level
from onegrid.core.permissions import Permission, Principal
from onegrid.db import DbSession
from onegrid.web.header import header_context
from onegrid.web.rendering import Lang, language, render, root, sign_in_redirect
from onegrid.web.strings import Strings

router = APIRouter(include_in_schema=False)
Anyone = Annotated[Principal, public()]


def _script_config(request: Request, who: Principal, csrf_token: str) -> dict:
    """Returns what the page's script reads besides its language and strings: API path,
    base-map tiles, CSRF token (the header's), rights, and the levels with the digits of
    their codes (core/levels.py, district first).

    `canReveal` only decides whether the page offers the reveal button; the reveal API checks
    the permission (and the scope) again on every request.
    """
    settings = get_settings()
    return {
        "api": root(request) + API_PREFIX,
        "tileUrl": settings.tile_url,
        "tileAttribution": settings.tile_attribution,
        "csrfToken": csrf_token,
        "canReveal": who.can(Permission.PII_REVEAL),
        "codeLengths": {level.value: level.code_length for level in Level},
    }


@router.get("/", response_class=HTMLResponse)
def index(request: Request, session: DbSession, who: Anyone, lang: Lang = None) -> Response:
    """The district map, for signed-in staff; others are sent to sign in first."""
    chosen = language(request, lang)
    if getattr(request.state, "must_change_password", False):
        return RedirectResponse(f"{root(request)}/password?lang={chosen}", 303)
    if who.is_anonymous:
        return sign_in_redirect(request, "/", chosen)
    header = header_context(request, session, who, chosen)
    if not who.can(Permission.TERRITORY_READ):
        return render(request, "no_map.html", chosen, STRINGS, header)
    script = _script_config(request, who, header["csrf_token"])
    return render(request, "map.html", chosen, STRINGS, header, script=script)


STRINGS: Strings = {
    "page_title": ("区域网格地图", "District grid map"),
    "no_map_title": ("此账户不查看地图", "This account has no map"),
    "no_map_text": (
        "您的角色不能查看区划地图。可用的页面在上方导航中，其余工作请通过接口或服务器命令行完成。",
        "Your role may not see the district map. The pages it may use are in the navigation "
        "above; the rest of its work is done through the API or on the server's command line.",
    ),
    "district_loading": ("正在加载区划…", "Loading the district…"),
    "demo_banner": (
        "演示数据 · Demo data —— 网格划分与人员信息均为虚构，仅供演示",
        "Demo data · 演示数据 — the grids and the people shown are fictional",
    ),
    "map_label": ("区域网格地图", "District grid map"),
    "layer_streets": ("街道", "Streets"),
    "layer_communities": ("社区", "Communities"),
    "layer_grids": ("网格", "Grids"),
    "legend_title": ("图例", "Legend"),
    "legend_selected": ("选中的网格", "Selected grid"),
    "grid_count": ("{n} 个网格", "{n} grids"),
    "grid_count_one": ("{n} 个网格", "{n} grid"),
    "street_count": ("{n} 个街道", "{n} streets"),
    "street_count_one": ("{n} 个街道", "{n} street"),
    "community_count": ("{n} 个社区", "{n} communities"),
    "community_count_one": ("{n} 个社区", "{n} community"),
    "search_title": ("坐标定位", "Locate a point"),
    "search_label": ("经度,纬度", "Longitude,latitude"),
    "search_placeholder": ("经度,纬度（如 123.51,41.81）", "lon,lat (e.g. 123.51,41.81)"),
    "search_button": ("定位", "Locate"),
    "search_crs": ("坐标系", "Coordinate system"),
    "crs_wgs84": ("WGS-84（GPS）", "WGS-84 (GPS)"),
    "crs_gcj02": ("GCJ-02（高德、腾讯）", "GCJ-02 (Amap, Tencent)"),
    "crs_bd09": ("BD-09（百度）", "BD-09 (Baidu)"),
    "search_invalid": (
        "请输入“经度,纬度”，例如 123.51,41.81",
        "Enter “longitude,latitude”, e.g. 123.51,41.81",
    ),
    "search_found": (
        "该点位于 {grid}（{community}，{street}）",
        "The point is in {grid} ({community}, {street})",
    ),
    "search_point": ("查询点", "Query point"),
    "panel_title": ("网格信息", "Grid details"),
    "panel_hint": (
        "点击地图上的网格，查看网格员、入格部门人员和网格党支部。",
        "Click a grid on the map to see its grid workers, department staff and party branch.",
    ),
    "panel_loading": ("正在加载网格信息…", "Loading the grid details…"),
    "field_code": ("网格编码", "Grid code"),
    "field_community": ("所属社区", "Community"),
    "field_street": ("所属街道", "Street"),
    "field_area": ("面积", "Area"),
    "area_value": ("{v} 平方千米", "{v} km²"),
    "section_grid_workers": ("网格员", "Grid workers"),
    "section_department_staff": ("入格部门人员", "Department staff in the grid"),
    "section_community_staff": ("社区工作人员", "Community staff"),
    "section_party_branch": ("网格党支部", "Party branch"),
    "party_secretary": ("书记", "Secretary"),
    "party_members": ("党员人数", "Members"),
    "party_members_value": ("{n} 名", "{n}"),
    "none": ("暂无", "None"),
    "no_party_branch": ("尚未建立", "Not set up yet"),
    "no_phone": ("未登记电话", "no phone on record"),
    "reveal_button": ("查看", "Reveal"),
    "reveal_title": (
        "查看{name}的完整电话（将记入审计日志）",
        "Reveal the full phone number of {name} (recorded in the audit log)",
    ),
    "reveal_purpose_placeholder": (
        "如：核实网格员联系方式",
        "e.g. confirm the grid worker’s contact details",
    ),
    "reveal_error_refused": ("查看被拒绝：{detail}", "The reveal was refused: {detail}"),
    "reveal_error_failed": ("查看失败：{detail}", "Could not reveal the number: {detail}"),
    "no_data": (
        "尚未导入区划数据：请先导入区、街道、社区、网格的 GeoJSON。",
        "No territory has been imported yet: import the GeoJSON of the district, streets, "
        "communities and grids first.",
    ),
    "loading": ("正在加载地图数据…", "Loading the map data…"),
    "error_layers": ("地图数据加载失败：{detail}", "Could not load the map data: {detail}"),
    "error_unit": ("网格信息加载失败：{detail}", "Could not load the grid details: {detail}"),
    "error_locate": ("定位失败：{detail}", "Could not locate the point: {detail}"),
}
