"""Synthetic people for the demo: names, phones, departments; deterministic from a seed."""

import numpy as np

# The most common Chinese surnames and a pool of given-name characters: plausible, not real.
SURNAMES = list(
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段"
)
GIVEN = list(
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉建国文斌宇浩凯健俊帆欣怡梓涵子轩雨桐博文思远嘉怡晨阳海波春梅冬雪立新振东"
)

# (code, name, English name) of the district's functional departments.
DEPARTMENTS = [
    ("urban_mgmt", "区城市管理局", "Urban Management Bureau"),
    ("housing", "区住房和城乡建设局", "Housing and Urban-Rural Development Bureau"),
    ("water", "区水务局", "Water Affairs Bureau"),
    ("civil_affairs", "区民政局", "Civil Affairs Bureau"),
    ("hr_social", "区人力资源和社会保障局", "Human Resources and Social Security Bureau"),
    ("environment", "市生态环境局大东分局", "Ecology and Environment Sub-bureau"),
    ("transport", "区交通运输局", "Transport Bureau"),
    ("market", "区市场监督管理局", "Market Regulation Bureau"),
    ("health", "区卫生健康局", "Health Commission"),
    ("emergency", "区应急管理局", "Emergency Management Bureau"),
    ("police", "公安大东分局", "Public Security Sub-bureau"),
    ("natural_resources", "区自然资源局", "Natural Resources Bureau"),
]

# Departments whose staff enrol by name in grids (同网共治).
GRID_ENROLLED = ["civil_affairs", "hr_social", "urban_mgmt", "police"]


class NameMaker:
    """Makes plausible, distinct-enough Chinese names and mobile numbers."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self._phones: set[str] = set()

    def name(self) -> str:
        """Returns a surname with a one- or two-character given name."""
        surname = SURNAMES[int(self.rng.integers(len(SURNAMES)))]
        size = 1 if self.rng.random() < 0.3 else 2
        return surname + "".join(GIVEN[int(i)] for i in self.rng.integers(len(GIVEN), size=size))

    def phone(self) -> str:
        """Returns an unused 11-digit mobile number."""
        while True:
            prefix = ("139", "138", "186", "159", "137", "150", "188", "131")[
                int(self.rng.integers(8))
            ]
            number = prefix + f"{int(self.rng.integers(100_000_000)):08d}"
            if number not in self._phones:
                self._phones.add(number)
                return number
