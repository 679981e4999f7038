export {};

declare global {
  interface Window {
    /** Hooks for the WebDriver end-to-end tests: exactly what a file drop calls. */
    stepwise?: { importPaths(paths: string[]): Promise<void>; queueSavePath(path: string): void;
      /** The next open dialog (append, open workspace) returns this path instead of showing. */
      queueOpenPath(path: string): void;
    };
  }
}
