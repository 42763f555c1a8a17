// Every resource the server offers.
import { customerResource } from "./customers.js";
import type { StaticResourceDefinition, TemplateResourceDefinition } from "./define.js";
import { segmentsResource } from "./segments.js";

export const staticResources: readonly StaticResourceDefinition[] = [segmentsResource];
export const templateResources: readonly TemplateResourceDefinition[] = [customerResource];
