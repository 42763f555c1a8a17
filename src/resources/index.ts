// Every resource the server offers.
import { customerResource } from "./customers.js";
import type { StaticResourceDefinition, TemplateResourceDefinition } from "./define.js";
import { exportResource } from "./exports.js";
import { segmentsResource } from "./segments.js";
import { ticketResource } from "./tickets.js";

export const staticResources: readonly StaticResourceDefinition[] = [segmentsResource];
export const templateResources: readonly TemplateResourceDefinition[] = [
  customerResource,
  ticketResource,
  exportResource,
];
