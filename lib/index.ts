// Public API of the construct library. Each area exports from its own index.
export {};
