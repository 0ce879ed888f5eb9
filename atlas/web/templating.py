"""The one Jinja2 environment every HTML page renders with (autoescaping on), and its globals."""

from __future__ import annotations

from fastapi.templating import Jinja2Templates

from atlas.config import REPO_ROOT
from atlas.exports.qr import qr_svg
from atlas.maps.assets import CLUSTER_CSS, CLUSTER_JS
from atlas.maps.style import AREA_STYLES, POINT_GROUPS, kind_colours
from atlas.provenance import citation_text, plan_ref_label
from atlas.web.browse import profile_url
from atlas.web.i18n import distance, field, js_text, label, t

templates = Jinja2Templates(directory=REPO_ROOT / "templates")
templates.env.globals.update(t=t, label=label, field=field, profile_url=profile_url,
                             distance=distance, js_text=js_text, qr_svg=qr_svg,
                             citation_text=citation_text, plan_ref_label=plan_ref_label,
                             point_groups=POINT_GROUPS, kind_colours=kind_colours(),
                             area_styles=AREA_STYLES,
                             cluster_js=[u for _, u in CLUSTER_JS],
                             cluster_css=[u for _, u in CLUSTER_CSS])
