// The colour maths behind the console's readable ANSI colours: WCAG 2 contrast, and the
// correction that darkens (light background) or lightens (dark background) a colour,
// keeping its hue, until it reaches 4.5:1.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { contrastRatio, parseColour, READABLE_CONTRAST, relativeLuminance, toHex, withMinimumContrast, type Rgba } from '../../../webview/console/contrast';

function rgb(text: string): Rgba {
  const c = parseColour(text);
  assert.ok(c, `cannot parse ${text}`);
  return c;
}

const ratio = (a: string, b: string) => contrastRatio(rgb(a), rgb(b));

/** HSL hue in degrees, computed here from the definition (not by the module under test). */
function hue(text: string): number {
  const { r, g, b } = rgb(text);
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const d = max - min;
  assert.ok(d > 0, `${text} is grey: it has no hue`);
  const h = max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
  return (h * 60 + 360) % 360;
}

function hueDistance(a: number, b: number): number {
  const d = Math.abs(a - b) % 360;
  return Math.min(d, 360 - d);
}

describe('console colour contrast', () => {
  it('parses the colour forms theme variables and computed styles use', () => {
    assert.deepEqual(parseColour('#949800'), { r: 0x94, g: 0x98, b: 0, a: 1 });
    assert.deepEqual(parseColour('#FfF'), { r: 255, g: 255, b: 255, a: 1 });
    assert.deepEqual(parseColour('#00000080'), { r: 0, g: 0, b: 0, a: 128 / 255 });
    assert.deepEqual(parseColour('rgb(148, 152, 0)'), { r: 148, g: 152, b: 0, a: 1 });
    assert.deepEqual(parseColour('rgba(255, 255, 255, 0.5)'), { r: 255, g: 255, b: 255, a: 0.5 });
    assert.deepEqual(parseColour('rgb(148 152 0 / 50%)'), { r: 148, g: 152, b: 0, a: 0.5 });
    assert.equal(parseColour('yellow'), undefined);
    assert.equal(parseColour('#12345'), undefined);
    assert.equal(toHex(rgb('rgb(148, 152, 0)')), '#949800');
  });

  it('measures luminance and contrast as WCAG 2 defines them', () => {
    assert.equal(relativeLuminance(rgb('#000')), 0);
    assert.equal(relativeLuminance(rgb('#fff')), 1);
    assert.equal(ratio('#000000', '#ffffff'), 21);
    assert.equal(ratio('#ffffff', '#000000'), 21, 'the order does not matter');
    assert.equal(ratio('#777777', '#777777'), 1);
    // Well-known values: #767676 is the lightest grey that passes AA on white, #777777 just fails.
    assert.ok(ratio('#767676', '#ffffff') >= 4.5);
    assert.ok(ratio('#777777', '#ffffff') < 4.5);
    assert.ok(Math.abs(ratio('#949800', '#ffffff') - 3.11) < 0.01, `${ratio('#949800', '#ffffff')}`);
  });

  it('darkens the light themes\' yellow on white until it reads at 4.5:1, keeping its hue', () => {
    // VS Code's default light terminal yellow (Light+, Light Modern) has only 3.1:1 on white.
    for (const background of ['#FFFFFF', '#F8F8F8']) {
      for (const yellow of ['#949800', '#b5ba00']) {
        assert.ok(ratio(yellow, background) < READABLE_CONTRAST, `${yellow} on ${background} is already readable`);
        const fixed = withMinimumContrast(yellow, background);
        const r = ratio(fixed, background);
        assert.ok(r >= 4.5, `${yellow} on ${background} became ${fixed}, contrast ${r.toFixed(2)}`);
        assert.ok(r < 4.7, `${fixed} is darker than it needs to be (${r.toFixed(2)})`);
        assert.ok(relativeLuminance(rgb(fixed)) < relativeLuminance(rgb(yellow)), `${fixed} is not darker than ${yellow}`);
        assert.ok(hueDistance(hue(fixed), hue(yellow)) < 2, `${yellow} (hue ${hue(yellow)}) became ${fixed} (hue ${hue(fixed)})`);
      }
    }
  });

  it('lightens a colour too dark for a dark background, keeping its hue', () => {
    const blue = '#0451a5';
    assert.ok(ratio(blue, '#1e1e1e') < 4.5);
    const fixed = withMinimumContrast(blue, '#1e1e1e');
    assert.ok(ratio(fixed, '#1e1e1e') >= 4.5, `${fixed}: ${ratio(fixed, '#1e1e1e')}`);
    assert.ok(relativeLuminance(rgb(fixed)) > relativeLuminance(rgb(blue)), `${fixed} is not lighter than ${blue}`);
    assert.ok(hueDistance(hue(fixed), hue(blue)) < 2, `hue ${hue(blue)} became ${hue(fixed)}`);
    // Black text on a dark background becomes a readable grey.
    const black = withMinimumContrast('#000000', '#1f1f1f');
    assert.ok(ratio(black, '#1f1f1f') >= 4.5);
  });

  it('leaves a colour that is already readable exactly as the theme gives it', () => {
    assert.equal(withMinimumContrast('#795E26', '#FFFFFF'), '#795E26'); // Light+'s function brown, 6.1:1
    assert.equal(withMinimumContrast('#767676', '#ffffff'), '#767676');
    assert.equal(withMinimumContrast('#cd3131', '#ffffff'), '#cd3131');
    assert.equal(withMinimumContrast('#e5e510', '#1e1e1e'), '#e5e510'); // the dark themes' yellow
    assert.equal(withMinimumContrast('rgb(229, 229, 16)', '#1e1e1e'), 'rgb(229, 229, 16)');
  });

  it('judges a translucent colour as drawn over the background, and leaves what it cannot judge', () => {
    // Black at 30% over white is a light grey: corrected to an opaque readable colour.
    const fixed = withMinimumContrast('#0000004d', '#ffffff');
    assert.match(fixed, /^#[0-9a-f]{6}$/);
    assert.ok(ratio(fixed, '#ffffff') >= 4.5);
    assert.equal(withMinimumContrast('#949800', '#ffffff80'), '#949800', 'a translucent background is not known');
    assert.equal(withMinimumContrast('var(--x)', '#ffffff'), 'var(--x)');
    assert.equal(withMinimumContrast('#949800', 'white'), '#949800');
  });

  it('reaches 4.5:1 on any background, in whichever direction has room', () => {
    for (let grey = 0; grey <= 255; grey += 5) {
      const background = toHex({ r: grey, g: grey, b: grey, a: 1 });
      for (const colour of ['#949800', '#0451a5', '#cd3131', '#808080', '#000000', '#ffffff']) {
        const fixed = withMinimumContrast(colour, background);
        assert.ok(ratio(fixed, background) >= 4.5, `${colour} on ${background} became ${fixed}: ${ratio(fixed, background).toFixed(2)}`);
      }
    }
  });
});
