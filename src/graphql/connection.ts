import { ClassType, Field, ObjectType } from 'type-graphql';

@ObjectType('PageInfo', { description: 'Where a page sits in a cursor-paginated list.' })
export class PageInfo {
  @Field(() => Boolean, { description: 'Whether more items follow this page.' })
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Pass as `after` to fetch the next page; null on an empty page.' })
  endCursor!: string | null;
}

/** A cursor-paginated list of `TItem`: `nodes` plus `pageInfo`. */
export function Connection<TItem extends object>(itemClass: ClassType<TItem>) {
  @ObjectType()
  abstract class ConnectionClass {
    @Field(() => [itemClass], { description: 'The items of this page, oldest first.' })
    nodes!: TItem[];

    @Field(() => PageInfo, { description: 'Pagination state.' })
    pageInfo!: PageInfo;
  }
  return ConnectionClass;
}
