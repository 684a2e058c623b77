"""KPI statistics and the monthly report set (数据分析, 报告统计). The public face is the
figures (figures.py) and the use cases (service.py, stats.py); writers load their heavy
libraries only when a report is built."""
