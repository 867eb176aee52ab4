"""Excel reports (xlsxwriter builders). Each module takes rows already read through the scope
rules (app.services.reports) and writes one workbook; app.reports.common holds the layout."""
