import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

// What makes a run findable in the Temporal UI's list filter, e.g. `RegattaPolicy = "prod-to-sites"`.
export const policyIdKey = defineSearchAttributeKey('RegattaPolicyId', SearchAttributeType.INT);
export const policyNameKey = defineSearchAttributeKey('RegattaPolicy', SearchAttributeType.KEYWORD);
export const triggerKey = defineSearchAttributeKey('RegattaTrigger', SearchAttributeType.KEYWORD);
export const repositoryKey = defineSearchAttributeKey('RegattaRepository', SearchAttributeType.KEYWORD_LIST);

export const searchAttributeKeys = [policyIdKey, policyNameKey, triggerKey, repositoryKey];
