import type { HTMLAttributes } from 'react';
import type { ButtonProps } from 'antd';

// antd props such as Table `onRow` and Modal `okButtonProps` are typed without data-* keys
// (only JSX attributes get that exemption), so the casts that add test hooks live here.

export function rowTestId(id: string): HTMLAttributes<HTMLElement> {
  const attrs: Record<string, string> = { 'data-testid': id };
  return attrs as HTMLAttributes<HTMLElement>;
}

export function buttonTestId(id: string, extra: ButtonProps = {}): ButtonProps {
  const attrs: Record<string, string> = { 'data-testid': id };
  return { ...extra, ...(attrs as ButtonProps) };
}
