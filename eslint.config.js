// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Import boundaries (../shared/STYLE.md): dependencies point one way, cmd → protocol/http → domain
// → store/blobs → shared, and a folder reaches into another only through its index.ts.
const onlyThroughIndex = {
  group: ['../*/*', '!../*/index.ts', '!../shared/*', '!../*/shapes.generated.ts'],
  message: 'Import another folder through its index.ts.',
};
const noEdges = {
  group: [
    'node:http',
    'node:https',
    'node:sqlite',
    '**/aws-protocol/**',
    '**/http/**',
    '**/sqlite/**',
    '**/postgres/**',
    '**/cmd/**',
  ],
  message:
    'Domain code does not speak HTTP, SQL or the AWS wire protocol: go through the store and runtime interfaces.',
};

export default tseslint.config(
  { ignores: ['node_modules/', '.berth/', 'src/*/shapes.generated.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        Buffer: 'readonly',
        console: 'readonly',
        performance: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        URL: 'readonly',
        URLSearchParams: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/consistent-type-imports': 'error',
      'max-lines': ['warn', { max: 400, skipBlankLines: true, skipComments: true }],
      complexity: ['warn', 20],
    },
  },
  {
    files: [
      'src/ecs/**',
      'src/ecr/**',
      'src/logs/**',
      'src/elb/**',
      'src/s3/**',
      'src/scheduler/**',
      'src/agent/**',
      'src/shared/**',
    ],
    // src/elb/proxy/ is the ELB data plane: it serves HTTP, and gets its own rule.
    ignores: ['**/*.test.ts', 'src/elb/proxy/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noEdges, onlyThroughIndex] }] },
  },
  {
    // The Docker runtime driver is the agent's edge to the engine: it alone may speak HTTP.
    files: ['src/agent/runtime/docker/**'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { ...noEdges, group: noEdges.group.filter((name) => name !== 'node:http') },
            // onlyThroughIndex, three levels down from src/.
            {
              ...onlyThroughIndex,
              group: onlyThroughIndex.group.map((pattern) => pattern.replace('../', '../../../')),
            },
          ],
        },
      ],
    },
  },
  {
    // The simulated runtime (scale benchmarks) is three levels down from src/ too; it speaks nothing.
    files: ['src/agent/runtime/fake/**'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            noEdges,
            {
              ...onlyThroughIndex,
              group: onlyThroughIndex.group.map((pattern) => pattern.replace('../', '../../../')),
            },
          ],
        },
      ],
    },
  },
  {
    // The task metadata endpoint is an HTTP server for the containers: it may speak HTTP.
    files: ['src/agent/metadata/**'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { ...noEdges, group: noEdges.group.filter((name) => name !== 'node:http') },
            // onlyThroughIndex, two levels down from src/.
            {
              ...onlyThroughIndex,
              group: onlyThroughIndex.group.map((pattern) => pattern.replace('../', '../../')),
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/aws-protocol/**', 'src/http/**', 'src/auth/**', 'src/store/**'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/cmd/**', '**/ecs/**', '**/ecr/**', '**/logs/**', '**/elb/**', '**/s3/**', '**/s3-rest/**'],
              message: 'Lower layers do not import the cmd layer or domain services.',
            },
          ],
        },
      ],
    },
  },
  {
    // The scheduler is a pure function of its input: no clock, no global randomness.
    files: ['src/scheduler/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Take time from the request.' },
        { object: 'Math', property: 'random', message: 'Take a seeded random source from the request.' },
      ],
    },
  },
);
