// Lint for the extension (src/), the kernel library (kernel/src), tests, scripts and benchmarks.
// typescript-eslint's recommended rules plus the few the JupyterLab template insists on.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      'lib/**',
      'kernel/lib/**',
      'jupyterlab_pretext/labextension/**',
      'build/**',
      '.venv/**',
      'runs/**'
    ]
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        require: 'readonly',
        module: 'readonly',
        __dirname: 'readonly',
        setImmediate: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        document: 'readonly',
        window: 'readonly',
        HTMLElement: 'readonly'
      }
    },
    rules: {
      eqeqeq: ['error', 'smart'],
      'prefer-arrow-callback': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { args: 'none', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-explicit-any': 'error'
    }
  },
  {
    // The JupyterLab template's braces rule, everywhere.
    files: ['**/*.ts', '**/*.mjs', '**/*.js'],
    rules: { curly: ['error', 'all'] }
  },
  {
    // The extension follows JupyterLab's interface names (IRunRecord); the kernel library
    // follows tfjs's, whose public types have no I.
    files: ['src/**/*.ts'],
    rules: {
      '@typescript-eslint/naming-convention': [
        'error',
        {
          selector: 'interface',
          format: ['PascalCase'],
          custom: { regex: '^I[A-Z]', match: true }
        }
      ]
    }
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' }
  }
);
