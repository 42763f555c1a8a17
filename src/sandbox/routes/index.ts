// The contract's route table, in one place so the router and the docs can see every endpoint.
import type { Route } from "../context.js";
import { commentRoutes } from "./comments.js";
import { customerRoutes } from "./customers.js";
import { exportRoutes } from "./exports.js";
import { noteRoutes } from "./notes.js";
import { segmentRoutes } from "./segments.js";
import { ticketRoutes } from "./tickets.js";
import { transactionRoutes } from "./transactions.js";

export const apiRoutes: readonly Route[] = [
  ...customerRoutes,
  ...noteRoutes,
  ...transactionRoutes,
  ...segmentRoutes,
  ...ticketRoutes,
  ...commentRoutes,
  ...exportRoutes,
];
