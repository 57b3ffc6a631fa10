/** Each command's usage line: the help lists them, and each command prints its own when its command line is wrong. */
export const USAGE = {
  'rules validate': 'fraudguard rules validate [--list NAME]… FILE…',
  'features export': 'fraudguard features export --data DIR --from DATE --to DATE --out FILE.csv',
  'simulate': 'fraudguard simulate --data DIR --from DATE --to DATE [--candidate RULESET_FILE_OR_VERSION] [--baseline RULESET_FILE_OR_VERSION] [--model ONNX_OR_VERSION]… [--json FILE] [--decisions FILE]',
  'models register': 'fraudguard models register FILE.onnx --meta FILE.json [--database-url URL] [--schema NAME]',
  'audit verify': 'fraudguard audit verify [--database-url URL] [--schema NAME] [--anchor SEQ:HASH] [--json]',
  'bench': 'fraudguard bench [--json FILE] [decisions|rules|features|scoring|model-decisions|cases|simulation…]',
} as const;
