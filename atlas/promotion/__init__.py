"""The investment-promotion (招商) toolkit: what investors and the staff who host them need
beyond where a platform is — the plan's industrial chains and who serves each stage
(:mod:`~atlas.promotion.chains`), a site finder ranking parks and incubators for an
investor's needs (:mod:`~atlas.promotion.site_finder`), visit routes
(:mod:`~atlas.promotion.routes`), and getting there: straight-line distances and estimated
drive times to the airport, the railway stations and the ports (:mod:`~atlas.promotion.hubs`,
:mod:`~atlas.promotion.travel`) with "navigate here" links that open Amap and Baidu Maps at
the right spot (:mod:`~atlas.promotion.navigate`).  Enquiries live in :mod:`atlas.enquiries`.
"""
