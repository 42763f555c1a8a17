// customer://customers/{customer_id}: one customer's profile as JSON, with id completion and paged listing.
import { completeCustomerIds } from "./completions.js";
import { clipText } from "../policy/untrusted.js";
import { UserInputError } from "../errors.js";
import { ParamCustomerId } from "../tools/params.js";
import { customerView } from "../views/customer.js";
import type { TemplateResourceDefinition } from "./define.js";

const LIST_PAGE_SIZE = 100;
const LIST_TITLE_LIMIT = 200;

export const customerResource: TemplateResourceDefinition = {
  name: "customer",
  uriTemplate: "customer://customers/{customer_id}",
  title: "Customer profile",
  description: "One customer's profile (the same view as get_customer), addressed by customer id.",
  mimeType: "application/json",
  access: { scopes: ["customers:read"] },
  async read(variables, ctx) {
    const parsed = ParamCustomerId.safeParse(variables.customer_id);
    if (!parsed.success) {
      throw new UserInputError("The URI needs a customer id like customer://customers/cus_8f2k1x9q7a.");
    }
    return { customer: customerView(await ctx.api.customers.get(parsed.data)) };
  },
  complete: { customer_id: completeCustomerIds },
  async list(cursor, ctx) {
    const page = await ctx.api.customers.search({ limit: LIST_PAGE_SIZE, ...(cursor ? { cursor } : {}) });
    return {
      resources: page.data.map((customer) => ({
        uri: `customer://customers/${customer.id}`,
        name: customer.id,
        // A name is the customer's own text: cleaned, masked (an email typed as a name) and clipped like one.
        title: clipText(ctx.policy.presentText(customer.name), LIST_TITLE_LIMIT),
      })),
      next_cursor: page.next_cursor,
    };
  },
};
