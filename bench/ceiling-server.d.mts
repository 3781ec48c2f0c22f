/** The ceiling handler (see ceiling-server.mjs). */
export declare function ceiling(request: Request): Promise<Response>;
