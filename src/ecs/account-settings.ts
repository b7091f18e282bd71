import { rootPrincipal } from '../shared/principal.ts';
import type { RequestContext } from '../shared/request-context.ts';
import type { MetadataStore } from '../store/index.ts';
import { InvalidParameterException } from './errors.ts';
import { decodeNextToken, encodeNextToken } from './pagination.ts';
import type {
  DeleteAccountSettingRequest,
  DeleteAccountSettingResponse,
  ListAccountSettingsRequest,
  ListAccountSettingsResponse,
  PutAccountSettingDefaultRequest,
  PutAccountSettingDefaultResponse,
  PutAccountSettingRequest,
  PutAccountSettingResponse,
  Setting,
  SettingName,
} from './shapes.generated.ts';

/** AWS's defaults (type aws_managed) and the values each setting accepts. */
const SETTINGS: Readonly<Record<SettingName, { readonly default: string; readonly values: readonly string[] }>> = {
  serviceLongArnFormat: { default: 'enabled', values: ['enabled', 'disabled'] },
  taskLongArnFormat: { default: 'enabled', values: ['enabled', 'disabled'] },
  containerInstanceLongArnFormat: { default: 'enabled', values: ['enabled', 'disabled'] },
  awsvpcTrunking: { default: 'disabled', values: ['enabled', 'disabled'] },
  containerInsights: { default: 'disabled', values: ['enabled', 'disabled', 'enhanced'] },
  fargateFIPSMode: { default: 'disabled', values: ['enabled', 'disabled'] },
  tagResourceAuthorization: { default: 'on', values: ['on', 'off'] },
  fargateTaskRetirementWaitPeriod: { default: '7', values: ['0', '7', '14'] },
  guardDutyActivate: { default: 'off', values: ['on', 'off'] },
  defaultLogDriverMode: { default: 'blocking', values: ['blocking', 'non-blocking'] },
  fargateEventWindows: { default: 'disabled', values: ['enabled', 'disabled'] },
};

function checkValue(name: SettingName, value: string): void {
  const allowed = SETTINGS[name].values;
  if (!allowed.includes(value)) {
    throw new InvalidParameterException(
      `The value '${value}' is not valid for the account setting '${name}'. Valid values: ${allowed.join(', ')}.`,
    );
  }
}

export async function putAccountSetting(
  store: MetadataStore,
  input: PutAccountSettingRequest,
  context: RequestContext,
): Promise<PutAccountSettingResponse> {
  checkValue(input.name, input.value);
  const principalArn = input.principalArn ?? context.principal.arn;
  await store.accountSettings.put({ principalArn, name: input.name, value: input.value });
  return { setting: { name: input.name, value: input.value, principalArn, type: 'user' } };
}

export async function putAccountSettingDefault(
  store: MetadataStore,
  input: PutAccountSettingDefaultRequest,
  context: RequestContext,
): Promise<PutAccountSettingDefaultResponse> {
  checkValue(input.name, input.value);
  const principalArn = rootPrincipal(context.accountId).arn;
  await store.accountSettings.put({ principalArn, name: input.name, value: input.value });
  return { setting: { name: input.name, value: input.value, principalArn, type: 'user' } };
}

export async function deleteAccountSetting(
  store: MetadataStore,
  input: DeleteAccountSettingRequest,
  context: RequestContext,
): Promise<DeleteAccountSettingResponse> {
  const principalArn = input.principalArn ?? context.principal.arn;
  const deleted = await store.accountSettings.delete(principalArn, input.name);
  if (!deleted)
    throw new InvalidParameterException(`The account setting '${input.name}' is not set for '${principalArn}'.`);
  return { setting: { name: input.name, value: deleted.value, principalArn, type: 'user' } };
}

/**
 * The principal's own settings, or with effectiveSettings its effective ones: its own value, else
 * the account default (the root's), else AWS's default.
 */
export async function listAccountSettings(
  store: MetadataStore,
  input: ListAccountSettingsRequest,
  context: RequestContext,
): Promise<ListAccountSettingsResponse> {
  if (input.value !== undefined && input.name === undefined)
    throw new InvalidParameterException('value can only be given with name.');
  const principalArn = input.principalArn ?? context.principal.arn;
  const root = rootPrincipal(context.accountId).arn;
  const stored = await store.accountSettings.list([principalArn, root]);
  let settings: Setting[];
  if (input.effectiveSettings) {
    settings = (Object.keys(SETTINGS) as SettingName[]).sort().map((name) => {
      const own =
        stored.find((s) => s.name === name && s.principalArn === principalArn) ??
        stored.find((s) => s.name === name && s.principalArn === root);
      return own
        ? { name, value: own.value, principalArn: own.principalArn, type: 'user' }
        : { name, value: SETTINGS[name].default, principalArn: root, type: 'aws_managed' };
    });
  } else {
    settings = stored
      .filter((s) => s.principalArn === principalArn)
      .map((s) => ({ name: s.name as SettingName, value: s.value, principalArn, type: 'user' }));
  }
  settings = settings.filter(
    (s) =>
      (input.name === undefined || s.name === input.name) && (input.value === undefined || s.value === input.value),
  );
  const limit = input.maxResults !== undefined && input.maxResults > 0 ? Math.min(input.maxResults, 10) : 10;
  // Keyset pagination by setting name (each name appears once in a list): stable under writes.
  const after = decodeNextToken(input.nextToken);
  const rest = settings
    .sort((a, b) => String(a.name).localeCompare(String(b.name)))
    .filter((s) => after === undefined || (s.name ?? '') > after);
  const page = rest.slice(0, limit);
  return {
    settings: page,
    ...(rest.length > limit ? { nextToken: encodeNextToken(page.at(-1)!.name ?? '') } : {}),
  };
}
