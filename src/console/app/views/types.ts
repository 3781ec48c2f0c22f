/** What every view is given and what a route is. */
export interface ViewContext {
  served: Set<string>;
  /** False once another route has been rendered (stop updating the page). */
  current(): boolean;
}

export interface ViewSpec {
  title: string;
  /** The service the view needs (hidden when not served); none for the console's own. */
  service?: string;
  render(el: HTMLElement, path: string[], query: URLSearchParams, ctx: ViewContext): Promise<void>;
}
