"""onegrid's own catalogue loads whole, and a wrong row is refused by name with nothing written."""

import re
import shutil

import pytest
from sqlalchemy import func, select

from onegrid.core.errors import Invalid, NotFound
from onegrid.core.permissions import Scope
from onegrid.core.workcalendar import Duration
from onegrid.demo import DEMO_DISTRICT
from onegrid.demo.people import DEPARTMENTS
from onegrid.routing import service
from onegrid.routing.catalogue import DATA
from onegrid.routing.models import Category, CategoryAttribute, Datatype

pytestmark = pytest.mark.usefixtures("catalogue")

DISTRICT = Scope(district_code=DEMO_DISTRICT)
HEADER = DATA.joinpath("categories.csv").read_text("utf-8").splitlines()[0]
GOOD_ROW = (
    "E0799,event,E07,民生服务,Livelihood,测试类别,Test category,civil_affairs,"
    '1d,4h,5d,1d,0,0,true,"测试",,batch'
)


def _categories(session):
    return service.list_categories(session=session, scope=DISTRICT, include_inactive=True)


def test_the_catalogue_has_both_kinds_in_classes_with_limits_and_departments(session):
    categories = _categories(session)
    assert len(categories) >= 40
    kinds = {c.kind for c in categories}
    assert kinds == {"component", "event"}
    demo_departments = {code for code, _, _ in DEPARTMENTS}
    for c in categories:
        pattern = r"\d{4}" if c.kind == "component" else r"E\d{4}"
        assert re.fullmatch(pattern, c.code) and c.code.startswith(c.major_code), c.code
        assert c.default_department_code in demo_departments, c.code
        for limit in (c.verify_limit, c.dispatch_limit, c.handle_limit, c.check_limit):
            assert str(Duration.parse(limit)) == limit
        assert c.name and c.name_en and c.major_name and c.major_name_en
    assert len({c.major_code for c in categories if c.kind == "component"}) >= 5
    assert len({c.major_code for c in categories if c.kind == "event"}) >= 5


def test_urgent_categories_are_counted_in_hours_ordinary_ones_in_days(session):
    by_name = {c.name: c for c in _categories(session)}
    for urgent in ("燃气泄漏隐患", "上水井盖缺损", "积水内涝"):
        assert by_name[urgent].handle_limit[-1] in "mh", urgent
    for ordinary in ("违法建设", "欠薪投诉", "低保及救助咨询"):
        assert by_name[ordinary].handle_limit.endswith("d"), ordinary


def test_categories_ask_for_attributes_of_every_open311_datatype(session):
    heating = service.get_category(session=session, scope=DISTRICT, code="E0601")
    temperature = heating.attributes[0]
    assert (temperature.code, temperature.datatype, temperature.required) == (
        "indoor_temperature",
        "number",
        True,
    )
    datatypes = {a.datatype for c in _categories(session) for a in c.attributes}
    assert datatypes == {d.value for d in Datatype}
    cover = service.get_category(session=session, scope=DISTRICT, code="0105").attributes[0]
    assert cover.code == "cover_type" and cover.required
    assert '{"key":"power","name":"电力"}' in cover.values


def test_loading_again_updates_in_place(session, catalogue):
    count = session.scalar(select(func.count(CategoryAttribute.id)))
    again = service.load_catalogue(session=session, district_code=DEMO_DISTRICT)
    assert again.created == 0 and again.updated == catalogue.created + catalogue.updated
    assert session.scalar(select(func.count(CategoryAttribute.id))) == count


def test_an_unknown_category_is_not_found_in_both_languages(session):
    with pytest.raises(NotFound) as error:
        service.get_category(session=session, scope=DISTRICT, code="9999")
    assert error.value.zh == "没有代码为 9999 的案件类别"
    assert error.value.en == "no category has the code 9999"


def test_inactive_categories_are_listed_only_when_asked(session):
    category = service.get_category(session=session, scope=DISTRICT, code="E0203")
    category.active = False
    session.flush()
    active = service.list_categories(session=session, scope=DISTRICT)
    assert "E0203" not in {c.code for c in active}
    assert "E0203" in {c.code for c in _categories(session)}


def _write(tmp_path, *rows, name="categories.csv"):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("bad", "zh", "en"),
    [
        (
            GOOD_ROW.replace("E0799", "E0798").replace("civil_affairs", "nowhere"),
            "nowhere",
            "nowhere",
        ),
        (GOOD_ROW.replace("E0799", "E0798").replace("5d", "2w"), "2w", "2w"),
        (GOOD_ROW.replace("E0799,event,E07", "E0798,event,E06"), "前缀", "must begin"),
        (GOOD_ROW.replace("E0799,event", "E0798,component"), "4 位数字", "4 digits"),
        (GOOD_ROW.replace("E0799", "E0798").replace(",0,0,", ",-1,0,"), "非负整数", "≥ 0"),
        (GOOD_ROW.replace("E0799", "E0798").replace("true", "maybe"), "true", "true"),
        (GOOD_ROW.replace("E0799", "E0798").replace("batch", "later"), "realtime", "realtime"),
        (GOOD_ROW, "重复", "repeats"),
    ],
)
def test_a_wrong_row_is_named_and_nothing_is_written(session, tmp_path, bad, zh, en):
    before = {c.code: c.name for c in _categories(session)}
    path = _write(tmp_path, GOOD_ROW, bad)
    with pytest.raises(Invalid) as error:
        service.load_catalogue(session=session, district_code=DEMO_DISTRICT, path=path)
    code = bad.split(",")[0]
    assert error.value.zh.startswith(f"categories.csv 第 3 行（{code}）：") and zh in error.value.zh
    assert error.value.en.startswith(f"categories.csv line 3 ({code}): ") and en in error.value.en
    assert error.value.detail["line"] == 3
    assert {c.code: c.name for c in _categories(session)} == before  # E0799 too is not stored


def test_a_wrong_attribute_row_is_named(session, tmp_path):
    path = _write(tmp_path, GOOD_ROW)
    (tmp_path / "attributes.csv").write_text(
        "category_code,code,name,name_en,datatype,required,order,values,description\n"
        "E0799,size,大小,Size,number,false,1,,\n"
        "E0799,colour,颜色,Colour,singlevaluelist,true,2,,\n",
        encoding="utf-8",
    )
    with pytest.raises(Invalid) as error:
        service.load_catalogue(session=session, district_code=DEMO_DISTRICT, path=path)
    assert error.value.en.startswith("attributes.csv line 3 (E0799/colour): ")
    assert "needs values" in error.value.en
    assert session.scalar(select(Category).where(Category.code == "E0799")) is None


def test_a_file_of_its_own_is_loaded_with_the_attributes_beside_it(session, tmp_path):
    path = _write(tmp_path, GOOD_ROW)
    (tmp_path / "attributes.csv").write_text(
        "category_code,code,name,name_en,datatype,required,order,values,description\n"
        "E0799,colour,颜色,Colour,multivaluelist,true,1,red=红| blue = 蓝 ,\n",
        encoding="utf-8",
    )
    report = service.load_catalogue(session=session, district_code=DEMO_DISTRICT, path=path)
    assert (report.created, report.updated, report.attributes) == (1, 0, 1)
    category = service.get_category(session=session, scope=DISTRICT, code="E0799")
    assert category.attributes[0].values == (
        '[{"key":"red","name":"红"},{"key":"blue","name":"蓝"}]'
    )
    assert len(_categories(session)) >= 41  # the rest of the catalogue is kept


def test_a_file_missing_a_column_is_refused(session, tmp_path):
    path = tmp_path / "categories.csv"
    shutil.copy(DATA.joinpath("categories.csv"), path)
    text = path.read_text("utf-8").replace(",check_limit,", ",limit,", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(Invalid) as error:
        service.load_catalogue(session=session, district_code=DEMO_DISTRICT, path=path)
    assert error.value.en == "categories.csv lacks the columns check_limit"


def test_the_open311_type_is_optional_and_realtime_by_default(session, tmp_path):
    service.load_catalogue(
        session=session, district_code=DEMO_DISTRICT, path=_write(tmp_path, GOOD_ROW)
    )
    assert (
        service.get_category(session=session, scope=DISTRICT, code="E0799").open311_type == "batch"
    )
    older = tmp_path / "older"
    older.mkdir()
    path = older / "categories.csv"
    header = HEADER.removesuffix(",open311_type")
    path.write_text(f"{header}\n{GOOD_ROW.removesuffix(',batch')}\n", encoding="utf-8")
    service.load_catalogue(session=session, district_code=DEMO_DISTRICT, path=path)
    assert (
        service.get_category(session=session, scope=DISTRICT, code="E0799").open311_type
        == "realtime"
    )
