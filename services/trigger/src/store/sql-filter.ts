/**
 * A WHERE clause built from optional conditions: `add('workflow_id = ?', id)` numbers the
 * placeholder after the parameters already there. `where` is empty without any condition.
 */
export class SqlFilter {
  readonly params: unknown[] = [];
  private readonly conditions: string[] = [];

  add(sql: string, value: unknown): this {
    this.params.push(value);
    this.conditions.push(sql.replace('?', `$${this.params.length}`));
    return this;
  }

  /** A condition with no parameter. */
  require(sql: string): this {
    this.conditions.push(`(${sql})`);
    return this;
  }

  get where(): string {
    return this.conditions.length ? `WHERE ${this.conditions.join(' AND ')}` : '';
  }
}
