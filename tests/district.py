"""A small hand-made district for tests: 1 branch, 2 stations, 4 grids, one mutual-aid
group per station. Small enough to reason about, shaped like the real thing."""

from __future__ import annotations

from chalicelib.domain.org import (
    AreaClass,
    Branch,
    Customer,
    Grid,
    MutualAidGroup,
    Role,
    Staff,
    Station,
    TransformerArea,
)

BRANCH = Branch("B1", "临河供电分局")
STATIONS = (Station("S1", "城关供电所", "B1"), Station("S2", "乡镇供电所", "B1"))
GRIDS = (
    Grid("G1", "新华街网格", "S1", "B1", AreaClass.URBAN, "M1", "A1"),
    Grid("G2", "胜利路网格", "S1", "B1", AreaClass.URBAN, "M2", "A1"),
    Grid("G3", "团结村网格", "S2", "B1", AreaClass.RURAL, "M3", "A2"),
    Grid("G4", "边远牧区网格", "S2", "B1", AreaClass.REMOTE, "M4", "A2"),
)
AREAS = (
    TransformerArea("T1", "新华1号台区", "G1", "S1", "B1"),
    TransformerArea("T2", "胜利2号台区", "G2", "S1", "B1"),
    TransformerArea("T3", "团结3号台区", "G3", "S2", "B1"),
    TransformerArea("T4", "牧区4号台区", "G4", "S2", "B1"),
)
GROUPS = (
    MutualAidGroup("A1", "城关互助一组", "S1", ("M1", "M2", "M5")),
    MutualAidGroup("A2", "乡镇互助一组", "S2", ("M3", "M4", "M6")),
)


def _manager(n: int, grids: tuple[str, ...], station: str, group: str) -> Staff:
    return Staff(
        staff_id=f"M{n}",
        name=f"网格经理{n}",
        phone=f"1391000000{n}",
        role=Role.MANAGER,
        branch_id="B1",
        station_id=station,
        grid_ids=grids,
        mutual_aid_group_id=group,
    )


STAFF = (
    _manager(1, ("G1",), "S1", "A1"),
    _manager(2, ("G2",), "S1", "A1"),
    _manager(3, ("G3",), "S2", "A2"),
    _manager(4, ("G4",), "S2", "A2"),
    _manager(5, (), "S1", "A1"),
    _manager(6, (), "S2", "A2"),
    Staff("C1", "城关所长", "13920000001", Role.CHIEF, branch_id="B1", station_id="S1"),
    Staff("C2", "乡镇所长", "13920000002", Role.CHIEF, branch_id="B1", station_id="S2"),
    Staff("D1", "分局值班员", "13930000001", Role.BRANCH, branch_id="B1"),
    Staff("O1", "运营分析员", "13940000001", Role.OPS),
    Staff("X1", "系统管理员", "13950000001", Role.ADMIN),
)
CUSTOMERS = (
    Customer("0601000001", "王建国", "临河区新华街道幸福小区1号楼101", "T1"),
    Customer("0601000002", "李秀英", "临河区胜利路阳光家园2号楼302", "T2", special=True),
    Customer("0601000003", "张伟", "临河区团结村三社15号", "T3"),
    Customer("0601000004", "刘芳", "临河区牧区东队8号", "T4"),
    Customer("0601000005", "市第二医院", "临河区新华街道健康路9号", "T1", important=True),
)
ORG = (BRANCH, *STATIONS, *GRIDS, *AREAS, *GROUPS, *STAFF)


def staff(staff_id: str) -> Staff:
    return next(s for s in STAFF if s.staff_id == staff_id)
