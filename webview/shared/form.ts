// What the lab panels' forms share: a fieldset of checkboxes, one per named
// choice with its description as the tooltip, and the names ticked.

export function fillCheckboxes(box: HTMLElement, items: readonly { name: string; description: string }[], ticked: (name: string) => boolean): void {
  box.querySelectorAll('label').forEach((l) => l.remove());
  for (const item of items) {
    const label = document.createElement('label');
    label.title = item.description;
    const input = document.createElement('input');
    input.type = 'checkbox';
    input.value = item.name;
    input.checked = ticked(item.name);
    label.append(input, ` ${item.name}`);
    box.append(label);
  }
}

export function tickedNames(box: HTMLElement): string[] {
  return [...box.querySelectorAll<HTMLInputElement>('input[type=checkbox]')].filter((b) => b.checked).map((b) => b.value);
}

export function tickNames(box: HTMLElement, names: readonly string[]): void {
  for (const b of box.querySelectorAll<HTMLInputElement>('input[type=checkbox]')) b.checked = names.includes(b.value);
}
