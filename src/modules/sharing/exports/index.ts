export { ExportService, EXPORT_JOB, type ExportServiceOptions, type ExportListQuery, type ExportDownload } from './exports.service.js';
export { exportRoutes } from './exports.routes.js';
export { EXPORT_NOTIFICATION_KINDS } from './exports.notifications.js';
export type { ExportContext, ExportStage, ExportRecord } from './exports.pipeline.js';
export type { Export, ExportInput, ExportFormat, ExportStatus } from './exports.views.js';
