"""Controlled vocabularies: every enum the data may use, with its zh/en labels.

This module is the single source of truth for field values.  The data model
(:mod:`atlas.model`), validation, filters, legends and the OGC queryables all
read their allowed values and labels from here.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


class Label(NamedTuple):
    """A bilingual label: Chinese first, English beside it."""

    zh: str
    en: str


class LabelledEnum(StrEnum):
    """A string enum whose members carry a :class:`Label` in ``LABELS``."""

    @property
    def label(self) -> Label:
        return LABELS[type(self).__name__][self.value]


class Status(LabelledEnum):
    operating = "operating"
    under_construction = "under_construction"
    planned = "planned"


class Level(LabelledEnum):
    national = "national"
    provincial = "provincial"
    quanzhou = "quanzhou"
    jinjiang = "jinjiang"


class Precision(LabelledEnum):
    """How sure we are of a position, from best to worst."""

    surveyed = "surveyed"
    address = "address"
    street = "street"
    town = "town"
    approximate = "approximate"
    placeholder = "placeholder"


class TorchGrade(LabelledEnum):
    """Grade in the Torch Centre's annual incubator evaluation (优秀/良好/合格/不合格)."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"


class IndustryGroup(LabelledEnum):
    """The four industry groups of the plan's chapter 四."""

    leading = "leading"
    emerging = "emerging"
    services = "services"
    future = "future"


class Industry(LabelledEnum):
    """Industries named in chapter 四 of the plan, grouped by :data:`INDUSTRY_GROUP`."""

    footwear_apparel = "footwear_apparel"
    textiles = "textiles"
    building_materials = "building_materials"
    food = "food"
    next_gen_it = "next_gen_it"
    integrated_circuits = "integrated_circuits"
    high_end_equipment = "high_end_equipment"
    medical_health = "medical_health"
    marine = "marine"
    commerce_logistics = "commerce_logistics"
    culture_sports_tourism = "culture_sports_tourism"
    rd_design = "rd_design"
    finance = "finance"
    graphene = "graphene"
    new_energy = "new_energy"
    data = "data"
    ai = "ai"
    fourth_gen_semiconductor = "fourth_gen_semiconductor"
    metaverse_blockchain = "metaverse_blockchain"
    green = "green"
    gene_biotech = "gene_biotech"
    civil_military = "civil_military"


class Kind(LabelledEnum):
    """What a feature is. Which kinds a layer accepts is in :data:`LAYER_KINDS`."""

    city = "city"
    subdistrict = "subdistrict"
    town = "town"
    corridor = "corridor"
    innovation_zone = "innovation_zone"
    industry_education_zone = "industry_education_zone"
    industrial_park = "industrial_park"
    innovation_park = "innovation_park"
    cultural_creative_park = "cultural_creative_park"
    campus = "campus"
    industry_base = "industry_base"
    innovation_complex = "innovation_complex"
    finance_district = "finance_district"
    port = "port"
    university = "university"
    research_institute = "research_institute"
    new_rd_institution = "new_rd_institution"
    industry_innovation_center = "industry_innovation_center"
    testing_center = "testing_center"
    industrial_internet_center = "industrial_internet_center"
    tech_transfer_ip_center = "tech_transfer_ip_center"
    pilot_platform = "pilot_platform"
    medical_platform = "medical_platform"
    talent_base = "talent_base"
    incubator = "incubator"
    maker_space = "maker_space"
    accelerator = "accelerator"
    university_science_park = "university_science_park"
    enterprise = "enterprise"


class Layer(LabelledEnum):
    """The atlas's layers, in drawing order (bottom to top)."""

    boundary = "boundary"
    towns = "towns"
    corridor = "corridor"
    zones = "zones"
    parks = "parks"
    platforms = "platforms"
    incubators = "incubators"
    enterprises = "enterprises"


LABELS: dict[str, dict[str, Label]] = {
    "Status": {
        "operating": Label("运营中", "Operating"),
        "under_construction": Label("在建", "Under construction"),
        "planned": Label("规划中", "Planned"),
    },
    "Level": {
        "national": Label("国家级", "National"),
        "provincial": Label("省级", "Provincial"),
        "quanzhou": Label("泉州市级", "Quanzhou municipal"),
        "jinjiang": Label("晋江市级", "Jinjiang municipal"),
    },
    "Precision": {
        "surveyed": Label("实测", "Surveyed"),
        "address": Label("门牌地址", "Street address"),
        "street": Label("道路/路口", "Street or junction"),
        "town": Label("镇街级", "Town level"),
        "approximate": Label("示意位置", "Approximate"),
        "placeholder": Label("位置未知（占位示意）", "Not known (placeholder)"),
    },
    "TorchGrade": {
        "A": Label("优秀(A)", "Excellent (A)"),
        "B": Label("良好(B)", "Good (B)"),
        "C": Label("合格(C)", "Pass (C)"),
        "D": Label("不合格(D)", "Fail (D)"),
    },
    "IndustryGroup": {
        "leading": Label("优势主导产业", "Leading industries"),
        "emerging": Label("新兴产业", "Emerging industries"),
        "services": Label("现代服务业", "Modern services"),
        "future": Label("未来产业", "Future industries"),
    },
    "Industry": {
        "footwear_apparel": Label("鞋服", "Footwear & apparel"),
        "textiles": Label("纺织", "Textiles"),
        "building_materials": Label("建材", "Building materials"),
        "food": Label("食品", "Food"),
        "next_gen_it": Label("新一代信息技术", "Next-generation IT"),
        "integrated_circuits": Label("集成电路", "Integrated circuits"),
        "high_end_equipment": Label("高端装备", "High-end equipment"),
        "medical_health": Label("医疗健康", "Medical & health"),
        "marine": Label("海洋高新", "Marine high-tech"),
        "commerce_logistics": Label("商贸物流", "Commerce & logistics"),
        "culture_sports_tourism": Label("文体旅游", "Culture, sports & tourism"),
        "rd_design": Label("研发创意", "R&D and creative design"),
        "finance": Label("金融服务", "Financial services"),
        "graphene": Label("石墨烯", "Graphene"),
        "new_energy": Label("新能源与储能", "New energy & storage"),
        "data": Label("数据产业", "Data industry"),
        "ai": Label("人工智能", "Artificial intelligence"),
        "fourth_gen_semiconductor": Label("第四代半导体", "4th-generation semiconductors"),
        "metaverse_blockchain": Label("元宇宙及区块链", "Metaverse & blockchain"),
        "green": Label("新兴绿色产业", "Green industries"),
        "gene_biotech": Label("基因与生物技术", "Genes & biotechnology"),
        "civil_military": Label("军民融合", "Civil-military integration"),
    },
    "Kind": {
        "city": Label("市域", "City"),
        "subdistrict": Label("街道", "Subdistrict"),
        "town": Label("镇", "Town"),
        "corridor": Label("创新走廊", "Innovation corridor"),
        "innovation_zone": Label("科创新区", "S&T innovation zone"),
        "industry_education_zone": Label("产教融合区", "Industry-education zone"),
        "industrial_park": Label("产业园区", "Industrial park"),
        "innovation_park": Label("科创园区", "Innovation park"),
        "cultural_creative_park": Label("文创园", "Cultural-creative park"),
        "campus": Label("高校校区", "University campus"),
        "industry_base": Label("产业基地", "Industry base"),
        "innovation_complex": Label("创新综合体", "Innovation complex"),
        "finance_district": Label("金融集聚区", "Finance district"),
        "port": Label("港区", "Port"),
        "university": Label("高校", "University"),
        "research_institute": Label("科研院所", "Research institute"),
        "new_rd_institution": Label("新型研发机构", "New-type R&D institution"),
        "industry_innovation_center": Label("产业创新中心", "Industry innovation centre"),
        "testing_center": Label("检验检测中心", "Testing & QC centre"),
        "industrial_internet_center": Label("工业互联网中心", "Industrial-internet centre"),
        "tech_transfer_ip_center": Label("技术转移/知识产权中心", "Tech-transfer & IP centre"),
        "pilot_platform": Label("中试平台", "Pilot-scale platform"),
        "medical_platform": Label("医疗创新平台", "Medical innovation platform"),
        "talent_base": Label("人才/创业基地", "Talent & start-up base"),
        "incubator": Label("孵化器", "Incubator"),
        "maker_space": Label("众创空间", "Maker space"),
        "accelerator": Label("加速器", "Accelerator"),
        "university_science_park": Label("大学科技园", "University science park"),
        "enterprise": Label("企业", "Enterprise"),
    },
    "Layer": {
        "boundary": Label("市界", "City boundary"),
        "towns": Label("镇街", "Towns & subdistricts"),
        "corridor": Label("一廊：世纪大道双创活力走廊", "Corridor: Century Avenue"),
        "zones": Label("两区", "Two zones"),
        "parks": Label("园区与基地", "Parks & bases"),
        "platforms": Label("创新平台", "Innovation platforms"),
        "incubators": Label("孵化载体", "Incubators & maker spaces"),
        "enterprises": Label("企业", "Enterprises"),
    },
}

INDUSTRY_GROUP: dict[Industry, IndustryGroup] = {
    **{i: IndustryGroup.leading for i in (Industry.footwear_apparel, Industry.textiles,
                                          Industry.building_materials, Industry.food)},
    **{i: IndustryGroup.emerging for i in (Industry.next_gen_it, Industry.integrated_circuits,
                                           Industry.high_end_equipment, Industry.medical_health,
                                           Industry.marine)},
    **{i: IndustryGroup.services for i in (Industry.commerce_logistics,
                                           Industry.culture_sports_tourism,
                                           Industry.rd_design, Industry.finance)},
    **{i: IndustryGroup.future for i in (Industry.graphene, Industry.new_energy, Industry.data,
                                         Industry.ai, Industry.fourth_gen_semiconductor,
                                         Industry.metaverse_blockchain, Industry.green,
                                         Industry.gene_biotech, Industry.civil_military)},
}

LAYER_KINDS: dict[Layer, frozenset[Kind]] = {
    Layer.boundary: frozenset({Kind.city}),
    Layer.towns: frozenset({Kind.subdistrict, Kind.town}),
    Layer.corridor: frozenset({Kind.corridor}),
    Layer.zones: frozenset({Kind.innovation_zone, Kind.industry_education_zone}),
    Layer.parks: frozenset({Kind.industrial_park, Kind.innovation_park, Kind.cultural_creative_park,
                            Kind.campus, Kind.industry_base, Kind.innovation_complex,
                            Kind.finance_district, Kind.port}),
    Layer.platforms: frozenset({Kind.university, Kind.research_institute, Kind.new_rd_institution,
                                Kind.industry_innovation_center, Kind.testing_center,
                                Kind.industrial_internet_center, Kind.tech_transfer_ip_center,
                                Kind.pilot_platform, Kind.medical_platform, Kind.talent_base}),
    Layer.incubators: frozenset({Kind.incubator, Kind.maker_space, Kind.accelerator,
                                 Kind.university_science_park}),
    Layer.enterprises: frozenset({Kind.enterprise}),
}

LAYER_GEOMETRY: dict[Layer, frozenset[str]] = {
    Layer.boundary: frozenset({"Polygon", "MultiPolygon"}),
    Layer.towns: frozenset({"Polygon", "MultiPolygon"}),
    Layer.corridor: frozenset({"LineString", "MultiLineString"}),
    Layer.zones: frozenset({"Polygon", "MultiPolygon"}),
    Layer.parks: frozenset({"Polygon", "MultiPolygon"}),
    Layer.platforms: frozenset({"Point"}),
    Layer.incubators: frozenset({"Point"}),
    Layer.enterprises: frozenset({"Point"}),
}

APPROXIMATE: frozenset[Precision] = frozenset({Precision.approximate, Precision.placeholder})
"""Precisions shown with "≈": the position is a sketch, or not known at all."""

POINT_LAYERS: tuple[Layer, ...] = (Layer.platforms, Layer.incubators)
"""Layers whose features are the atlas's 'entities near a place'."""

CARRIER_LAYERS: tuple[Layer, ...] = (Layer.parks, *POINT_LAYERS)
"""The plan's carriers (载体): what the corridor and zones link to, and what planners count."""

HOSTED_LAYERS: tuple[Layer, ...] = (*POINT_LAYERS, Layer.enterprises)
"""Point layers whose features may name a host park and belong to the parks they lie in."""

LISTED_LAYERS: tuple[Layer, ...] = (*CARRIER_LAYERS, Layer.enterprises)
"""What the atlas page filters, lists and counts, and the exports carry: the carriers and
the enterprises the plan names."""
