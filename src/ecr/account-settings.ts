import type { MetadataStore } from '../store/index.ts';
import { InvalidParameterException } from './errors.ts';
import type {
  GetAccountSettingRequest,
  GetAccountSettingResponse,
  PutAccountSettingRequest,
  PutAccountSettingResponse,
} from './shapes.generated.ts';

/**
 * ECR's account settings, with the values the current ECR API accepts (its model: "Valid value for
 * basic scan type: AWS_NATIVE. Valid values for registry policy scope: V2. Valid values for blob
 * mounting: ENABLED or DISABLED"). Each one is acted on:
 * - BASIC_SCAN_TYPE_VERSION: AWS_NATIVE, the only basic scanner ECR still offers (Clair is retired).
 *   Berth's basic scans are its placeholder scans either way (scans.ts).
 * - REGISTRY_POLICY_SCOPE: V2, the registry policy applies to every ECR request (registry-policies.ts).
 *   V1, which limited it to three actions, is retired.
 * - BLOB_MOUNTING: whether a push may mount a blob from another repository (Registry.mount).
 *   Berth has always mounted, so ENABLED is its default, where a new ECR registry starts DISABLED.
 */
export type AccountSettingName = 'BASIC_SCAN_TYPE_VERSION' | 'REGISTRY_POLICY_SCOPE' | 'BLOB_MOUNTING';

interface SettingRule {
  readonly defaultValue: string;
  readonly values: readonly string[];
  /** Why a value ECR once accepted no longer is. */
  readonly retired?: Readonly<Record<string, string>>;
}

const SETTINGS: Readonly<Record<AccountSettingName, SettingRule>> = {
  BASIC_SCAN_TYPE_VERSION: {
    defaultValue: 'AWS_NATIVE',
    values: ['AWS_NATIVE'],
    retired: { CLAIR: 'basic scanning with Clair is retired: AWS_NATIVE is the only basic scan type' },
  },
  REGISTRY_POLICY_SCOPE: {
    defaultValue: 'V2',
    values: ['V2'],
    retired: {
      V1: 'registry policy scope V1 is retired: the registry policy applies to every ECR request (V2)',
    },
  },
  BLOB_MOUNTING: { defaultValue: 'ENABLED', values: ['ENABLED', 'DISABLED'] },
};

const NAMES = Object.keys(SETTINGS) as AccountSettingName[];

function settingKey(name: AccountSettingName): string {
  return `account-setting/${name}`;
}

function requireName(name: string): AccountSettingName {
  if (!(NAMES as string[]).includes(name)) {
    throw new InvalidParameterException(
      `Invalid parameter at 'name' failed to satisfy constraint: 'Member must satisfy enum value set: [${NAMES.join(', ')}]'`,
    );
  }
  return name as AccountSettingName;
}

/** The setting's value: what was put, else its default. */
export async function accountSetting(deps: { store: MetadataStore }, name: AccountSettingName): Promise<string> {
  const stored = await deps.store.registrySettings.get(settingKey(name));
  return typeof stored === 'string' ? stored : SETTINGS[name].defaultValue;
}

export async function getAccountSetting(
  deps: { store: MetadataStore },
  input: GetAccountSettingRequest,
): Promise<GetAccountSettingResponse> {
  const name = requireName(input.name);
  return { name, value: await accountSetting(deps, name) };
}

export async function putAccountSetting(
  deps: { store: MetadataStore },
  input: PutAccountSettingRequest,
): Promise<PutAccountSettingResponse> {
  const name = requireName(input.name);
  const rule = SETTINGS[name];
  if (!rule.values.includes(input.value)) {
    const why = rule.retired?.[input.value];
    throw new InvalidParameterException(
      why === undefined
        ? `Invalid parameter at 'value' failed to satisfy constraint: 'Member must satisfy enum value set: [${rule.values.join(', ')}]'`
        : `Invalid parameter at 'value' failed to satisfy constraint: '${why}'`,
    );
  }
  await deps.store.registrySettings.put(settingKey(name), input.value);
  return { name, value: input.value };
}
