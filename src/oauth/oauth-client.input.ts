import { Field, ID, InputType } from 'type-graphql';

@InputType('CreateOAuthClientInput', { description: 'A new OAuth 2.0 client of a customer.' })
export class CreateOAuthClientInput {
  @Field(() => ID, { description: 'The customer the client acts for.' })
  customerId!: string;

  @Field(() => String, { description: 'Display name, 1-200 characters.' })
  name!: string;

  @Field(() => [String], { description: 'Scopes the client may request, at least one, each from the fixed scope list (see README).' })
  scopes!: string[];
}
