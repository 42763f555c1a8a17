// customer://customers/{customer_id}: one customer's profile as JSON, with id completion from a name or email.
import { UserInputError } from "../errors.js";
import { ParamCustomerId } from "../tools/params.js";
import { customerView } from "../views/customer.js";
import type { TemplateResourceDefinition } from "./define.js";

const COMPLETION_LIMIT = 10;

export const customerResource: TemplateResourceDefinition = {
  name: "customer",
  uriTemplate: "customer://customers/{customer_id}",
  title: "Customer profile",
  description: "One customer's profile (the same view as get_customer), addressed by customer id.",
  mimeType: "application/json",
  async read(variables, ctx) {
    const parsed = ParamCustomerId.safeParse(variables.customer_id);
    if (!parsed.success) {
      throw new UserInputError("The URI needs a customer id like customer://customers/cus_8f2k1x9q7a.");
    }
    return { customer: customerView(await ctx.api.customers.get(parsed.data, { signal: ctx.signal })) };
  },
  complete: {
    async customer_id(partial, ctx) {
      const text = partial.trim();
      if (text.length < 2) return [];
      const page = await ctx.api.customers.search(
        { query: text, limit: COMPLETION_LIMIT },
        { signal: ctx.signal },
      );
      return page.data.map((customer) => customer.id);
    },
  },
};
