import 'reflect-metadata';

export type SettingType = 'string' | 'int' | 'number' | 'boolean' | 'list' | 'url';

export interface SettingSpec {
  /** The environment variable that sets it. */
  env: string;
  /** One sentence for operators: what it changes, in which unit. */
  description: string;
  type: SettingType;
  /** Used when the variable is unset; absent means the setting is required. */
  default?: string | number | boolean | string[];
  /** Secrets are never logged and are shown as `<secret>` in the settings table. */
  secret?: boolean;
  min?: number;
  max?: number;
}

export interface SettingMetadata extends SettingSpec {
  property: string;
}

const SETTINGS = Symbol('baton:settings');

/** Declares a config property read from one environment variable. */
export function Setting(spec: SettingSpec): PropertyDecorator {
  return (target, property) => {
    const list: SettingMetadata[] = Reflect.getMetadata(SETTINGS, target.constructor) ?? [];
    Reflect.defineMetadata(
      SETTINGS,
      [...list, { ...spec, property: String(property) }],
      target.constructor,
    );
  };
}

export function settingsOf(cls: abstract new () => object): SettingMetadata[] {
  const own: SettingMetadata[] = Reflect.getMetadata(SETTINGS, cls) ?? [];
  return own;
}
