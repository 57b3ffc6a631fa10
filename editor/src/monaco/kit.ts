/** Everything the rule editor loads with Monaco, as one lazily imported chunk (the other screens never pay for it). */
export { monaco } from './monaco.ts';
export { modelUri, registerRulesetLanguage, setVocabulary, showServerProblems, SERVER_OWNER } from './ruleset-language.ts';
