// Compile-time only: the hand-written shapes of types.ts (and the hooks' inline ones) are what the
// server's OpenAPI document says it sends. A route whose answer changes fails `tsc -p web` here.
import type { OrgRow } from '../app/orgTree';
import type { ApiResponse, Fits } from './schema';
import type {
  BookedAppointment,
  Dashboard,
  MovedTask,
  OutcomeResult,
  Session,
  TaskDetail,
  TaskList,
} from './types';

export type Checked = [
  Fits<ApiResponse<'/api/session'>, Session>,
  Fits<ApiResponse<'/api/session', 'post'>, Session>,
  Fits<ApiResponse<'/api/orgs'>, { root: string; orgs: OrgRow[] }>,
  Fits<ApiResponse<'/api/dashboard'>, Dashboard>,
  Fits<ApiResponse<'/api/tasks'>, TaskList>,
  Fits<ApiResponse<'/api/tasks/{id}'>, TaskDetail>,
  Fits<ApiResponse<'/api/tasks/{id}/outcome', 'post'>, OutcomeResult>,
  Fits<ApiResponse<'/api/tasks/{id}/pickup', 'post'>, MovedTask>,
  Fits<ApiResponse<'/api/tasks/{id}/reassign', 'post'>, MovedTask>,
  Fits<ApiResponse<'/api/tasks/{id}/appointment', 'post'>, BookedAppointment>,
];
