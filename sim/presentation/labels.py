"""Chinese labels of the KPIs, shown next to the English keys in the terminal, the report and the app.

The English key stays the name in files (``kpis.csv``) and code; the Chinese label is what a station
owner reads (日派件量 rather than parcels_per_courier_day).
"""

from __future__ import annotations

__all__ = ["KPI_ZH", "kpi_label"]

KPI_ZH: dict[str, str] = {
    "parcels_per_courier_day": "日派件量",
    "hours_per_courier_day": "日工时",
    "income_per_courier_day_yuan": "日收入(元)",
    "income_per_courier_hour_yuan": "时薪(元)",
    "active_hours_per_courier_day": "日作业时长",
    "waiting_hours_per_courier_day": "日等待时长",
    "income_per_active_hour_yuan": "作业时薪(元)",
    "parcels_per_door_visit": "每户每次上门件数",
    "fee_yuan_per_parcel": "单件派费(元)",
    "same_day_delivery_share": "当日妥投率",
    "carried_over_parcels": "滞留件",
    "overtime_hours_per_courier_day": "日加班时长",
    "km_per_courier_day": "日骑行里程",
    "first_attempt_success_share": "首次投递成功率",
    "failed_attempts": "投递失败次数",
    "lead_time_p50_h": "时效中位数(时)",
    "lead_time_p90_h": "时效P90(时)",
    "locker_bank_peak_share_max": "快递柜峰值占用",
    "locker_delivered_share": "投柜占比",
    "pickup_station_delivered_share": "驿站占比",
    "station_counter_delivered_share": "网点自提占比",
    "door_delivered_share": "上门占比",
    "locker_full_events": "柜满次数",
    "locker_fallback_share": "柜满改投比例",
    "pickup_station_peak_share": "驿站峰值占用",
    "pickup_fees_yuan_per_courier_day": "日柜费驿站费(元)",
    "uncollected_returned": "超期退回件",
    "station_net_yuan_per_day": "网点日净收入(元)",
    "station_net_yuan_per_parcel": "网点单件净收入(元)",
    "door_service_compliance_share": "上门服务履约率",
    "complaints": "投诉数",
    "cost_per_parcel_yuan": "单件成本(元)",
    "parcels_total": "总件数",
    "parcels_undelivered_end": "期末未派件",
    "dispatch_time_p50_h": "发货时长中位数(时)",
    "dispatch_time_p90_h": "发货时长P90(时)",
    "dispatch_time_p99_h": "发货时长P99(时)",
    "dispatched_within_24h_share": "24小时发货率",
    "dispatched_within_48h_share": "48小时发货率",
    "click_to_door_p50_h": "下单到签收中位数(时)",
    "click_to_door_p90_h": "下单到签收P90(时)",
    "next_day_delivery_share": "次日达比例",
    "backlog_peak_orders": "积压峰值(单)",
    "backlog_cleared_after_burst_h": "爆单积压清空(时)",
    "picker_utilization": "拣货员利用率",
    "late_dispatch_compensation_yuan": "晚发赔付(元)",
    "warehouse_cost_yuan": "仓储成本(元)",
    "fulfilment_cost_yuan": "履约成本(元)",
    "orders_upstream_end": "期末仓内订单",
}


def kpi_label(key: str) -> str:
    """``key`` with its Chinese label, e.g. 'parcels_per_courier_day 日派件量' (the key alone if it has none)."""
    zh = KPI_ZH.get(key)
    return f"{key} {zh}" if zh else key
