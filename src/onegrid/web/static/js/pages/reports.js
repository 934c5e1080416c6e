// /reports/monthly: the print button prints the report (the print stylesheet fits it to A4).
import { $ } from '../app.js';

$('report-print')?.addEventListener('click', () => window.print());
