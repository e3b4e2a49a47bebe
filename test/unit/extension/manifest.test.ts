// The marketplace listing: package.json's public fields (icon, repository, homepage, bugs, gallery
// banner, keywords, categories), the package script, the README's opening commands and images,
// and what .vscodeignore lets into the .vsix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { inflateSync } from 'node:zlib';

/** The project's public repository; every link of the listing points into it. */
const repositoryUrl = 'https://github.com/microkernel-lab/microkernel-lab';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as Record<string, unknown> & {
  scripts: Record<string, string>;
};
const readme = readFileSync('README.md', 'utf8');

// ---- PNG: the IHDR chunk, and the pixels of an 8-bit, non-interlaced RGB or RGBA image ----

const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

interface Png {
  width: number;
  height: number;
  bitDepth: number;
  colourType: number;
  interlace: number;
  idat: Buffer;
}

function readPng(file: string): Png {
  const bytes = readFileSync(file);
  assert.ok(bytes.subarray(0, 8).equals(pngSignature), `${file} does not start with the PNG signature`);
  // The first chunk must be IHDR: length 13, then the type.
  assert.equal(bytes.readUInt32BE(8), 13, `${file}: the first chunk is not a 13-byte IHDR`);
  assert.equal(bytes.toString('latin1', 12, 16), 'IHDR', `${file}: the first chunk is not IHDR`);
  const png: Png = {
    width: bytes.readUInt32BE(16),
    height: bytes.readUInt32BE(20),
    bitDepth: bytes[24]!,
    colourType: bytes[25]!,
    interlace: bytes[28]!,
    idat: Buffer.alloc(0),
  };
  const idat: Buffer[] = [];
  for (let at = 8; at < bytes.length; ) {
    const length = bytes.readUInt32BE(at);
    const type = bytes.toString('latin1', at + 4, at + 8);
    if (type === 'IDAT') idat.push(bytes.subarray(at + 8, at + 8 + length));
    at += 12 + length;
    if (type === 'IEND') break;
  }
  png.idat = Buffer.concat(idat);
  return png;
}

/** The RGBA pixels of an 8-bit, non-interlaced RGB (2) or RGBA (6) PNG, rows unfiltered. */
function pixels(png: Png): Uint8Array {
  assert.equal(png.bitDepth, 8, 'only 8-bit PNGs are decoded here');
  assert.equal(png.interlace, 0, 'only non-interlaced PNGs are decoded here');
  assert.ok(png.colourType === 2 || png.colourType === 6, `colour type ${png.colourType} is not RGB or RGBA`);
  const channels = png.colourType === 6 ? 4 : 3;
  const stride = png.width * channels;
  const raw = inflateSync(png.idat);
  assert.equal(raw.length, png.height * (stride + 1), 'the image data has the wrong length');
  const out = new Uint8Array(png.width * png.height * 4);
  let previous = new Uint8Array(stride);
  for (let y = 0; y < png.height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = new Uint8Array(stride);
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? row[x - channels]! : 0;
      const b = previous[x]!;
      const c = x >= channels ? previous[x - channels]! : 0;
      let predictor = 0;
      if (filter === 1) predictor = a;
      else if (filter === 2) predictor = b;
      else if (filter === 3) predictor = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else assert.equal(filter, 0, `row ${y} has an unknown filter ${filter}`);
      row[x] = (line[x]! + predictor) & 0xff;
    }
    for (let x = 0; x < png.width; x++) {
      const o = (y * png.width + x) * 4;
      out[o] = row[x * channels]!;
      out[o + 1] = row[x * channels + 1]!;
      out[o + 2] = row[x * channels + 2]!;
      out[o + 3] = channels === 4 ? row[x * channels + 3]! : 255;
    }
    previous = row;
  }
  return out;
}

/** The relative luminance (WCAG) of `#rrggbb`, 0 black to 1 white. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

// ---- .vscodeignore, applied as vsce applies it ----

/** A glob of .vscodeignore as a regular expression over a path relative to the extension's root. */
function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      i++;
      if (glob[i + 1] === '/') {
        i++;
        re += '(?:.*/)?';
      } else re += '.*';
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/**
 * Whether vsce packages `file`: a file is left out when an ignore pattern matches it and no `!`
 * pattern does (the order of the lines does not matter), and a pattern whose last part has no
 * wildcard also stands for everything under it. vsce always packages package.json and the README.
 */
function packaged(file: string): boolean {
  const lines = readFileSync('.vscodeignore', 'utf8')
    .split(/[\n\r]/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const all = [...lines, ...lines.filter((l) => !/(^|\/)[^/]*\*[^/]*$/.test(l)).map((l) => (l.endsWith('/') ? `${l}**` : `${l}/**`))];
  const ignore = all.filter((l) => !l.startsWith('!')).map(globToRegExp);
  const negate = [...all.filter((l) => l.startsWith('!')).map((l) => l.slice(1)), 'package.json', 'README.md'].map(globToRegExp);
  return !ignore.some((re) => re.test(file)) || negate.some((re) => re.test(file));
}

// ---- the README ----

/** Every image the README shows: Markdown `![alt](src "title")`, reference definitions used by an image, and HTML `<img src>`. */
function readmeImages(): string[] {
  const inline = [...readme.matchAll(/!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!);
  const referenced = new Set([...readme.matchAll(/!\[[^\]]*\]\[([^\]]+)\]/g)].map((m) => m[1]!.toLowerCase()));
  const definitions = [...readme.matchAll(/^\s{0,3}\[([^\]]+)\]:\s*<?(\S+?)>?(?:\s.*)?$/gm)]
    .filter((m) => referenced.has(m[1]!.toLowerCase()))
    .map((m) => m[2]!);
  const html = [...readme.matchAll(/<img\b[^>]*\bsrc\s*=\s*["']([^"']+)["']/gi)].map((m) => m[1]!);
  return [...inline, ...definitions, ...html];
}

/** The commands of the README's first fenced code block, without their `# comments`. */
function firstCommands(): string[] {
  const block = /^```[^\n]*\n([\s\S]*?)^```/m.exec(readme);
  assert.ok(block, 'the README has no code block');
  const before = readme.slice(0, block.index);
  assert.ok(!/^##\s/m.test(before), 'the README\'s first commands come after a section heading, not at its start');
  return block[1]!
    .split('\n')
    .map((l) => l.replace(/\s#\s.*$/, '').trim())
    .filter((l) => l !== '');
}

// ---- the tests ----

test('package.json is publishable: no "private", a publisher, a licence, a description and a display name', () => {
  assert.ok(!('private' in pkg), '"private": true keeps the extension off the marketplace');
  for (const field of ['name', 'displayName', 'publisher', 'license', 'version', 'description'] as const) {
    assert.equal(typeof pkg[field], 'string', `package.json has no ${field}`);
    assert.ok((pkg[field] as string).trim().length > 0, `package.json's ${field} is empty`);
  }
  assert.ok(existsSync('LICENSE'), 'there is no LICENSE file');
});

test('the icon is a 128×128 PNG that exists, and .vscodeignore packages it', () => {
  const icon = pkg['icon'];
  assert.equal(typeof icon, 'string', 'package.json has no icon');
  assert.match(icon as string, /\.png$/i, 'the marketplace takes a PNG icon, not an SVG');
  assert.ok(existsSync(icon as string) && statSync(icon as string).isFile(), `${icon} does not exist`);
  const png = readPng(icon as string);
  assert.deepEqual([png.width, png.height], [128, 128], `${icon} is ${png.width}×${png.height}, not 128×128`);
  assert.ok(packaged(icon as string), `.vscodeignore leaves ${icon} out of the package`);
});

test('the gallery banner is a dark colour, the icon\'s own background, with the dark theme', () => {
  const banner = pkg['galleryBanner'] as { color?: unknown; theme?: unknown } | undefined;
  assert.ok(banner, 'package.json has no galleryBanner');
  assert.equal(banner.theme, 'dark');
  assert.equal(typeof banner.color, 'string');
  const color = banner.color as string;
  assert.match(color, /^#[0-9a-fA-F]{6}$/, `galleryBanner.color ${color} is not #rrggbb`);
  assert.ok(luminance(color) < 0.1, `galleryBanner.color ${color} is not dark (luminance ${luminance(color).toFixed(3)})`);
  // The icon's most frequent opaque colour is its background: the banner matches it.
  const png = readPng(pkg['icon'] as string);
  const rgba = pixels(png);
  const counts = new Map<string, number>();
  for (let i = 0; i < rgba.length; i += 4) {
    if (rgba[i + 3] !== 255) continue;
    const hex = `#${[rgba[i]!, rgba[i + 1]!, rgba[i + 2]!].map((c) => c.toString(16).padStart(2, '0')).join('')}`;
    counts.set(hex, (counts.get(hex) ?? 0) + 1);
  }
  const [background] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
  assert.equal(background, color.toLowerCase(), `the icon's background is ${background}, the banner ${color}`);
});

test('repository, homepage and bugs are https links into the project\'s GitHub repository', () => {
  const repository = pkg['repository'] as { type?: unknown; url?: unknown } | undefined;
  assert.ok(repository && typeof repository === 'object', 'package.json has no repository object');
  assert.equal(repository.type, 'git');
  assert.equal(typeof repository.url, 'string');
  const url = new URL(repository.url as string);
  assert.equal(url.protocol, 'https:', `the repository URL ${repository.url} is not https`);
  // vsce derives the README's image and link addresses from a GitHub repository URL.
  assert.equal(url.host, 'github.com');
  assert.equal((repository.url as string).replace(/\.git$/, ''), repositoryUrl);

  const homepage = pkg['homepage'];
  assert.equal(typeof homepage, 'string', 'package.json has no homepage');
  assert.equal(new URL(homepage as string).protocol, 'https:');
  assert.ok((homepage as string).startsWith(repositoryUrl), `homepage ${homepage} is not the repository's`);

  const bugs = pkg['bugs'] as { url?: unknown } | undefined;
  assert.ok(bugs && typeof bugs.url === 'string', 'package.json has no bugs.url');
  assert.equal(new URL(bugs.url as string).protocol, 'https:');
  assert.equal(bugs.url, `${repositoryUrl}/issues`);
});

test('keywords and categories are few, distinct and known to the marketplace', () => {
  const keywords = pkg['keywords'] as string[];
  assert.ok(Array.isArray(keywords) && keywords.length > 0, 'package.json has no keywords');
  assert.ok(keywords.length <= 30, 'the marketplace takes at most 30 keywords');
  assert.equal(new Set(keywords.map((k) => k.toLowerCase())).size, keywords.length, 'duplicate keywords');
  for (const k of ['microkernel', 'minix', 'iommu']) assert.ok(keywords.includes(k), `keyword ${k} is missing`);

  const known = new Set([
    'AI', 'Azure', 'Chat', 'Data Science', 'Debuggers', 'Education', 'Extension Packs', 'Formatters', 'Keymaps',
    'Language Packs', 'Linters', 'Machine Learning', 'Notebooks', 'Other', 'Programming Languages', 'SCM Providers',
    'Snippets', 'Testing', 'Themes', 'Visualization',
  ]);
  const categories = pkg['categories'] as string[];
  assert.ok(Array.isArray(categories) && categories.length > 0, 'package.json has no categories');
  for (const c of categories) assert.ok(known.has(c), `category ${c} is not a marketplace category`);
  // Debuggers is claimed: there must be a debugger.
  const contributes = pkg['contributes'] as { debuggers?: unknown[] };
  if (categories.includes('Debuggers')) assert.ok((contributes.debuggers ?? []).length > 0, 'category Debuggers without a debugger');
});

test('npm run package neither hides a missing repository nor keeps the README\'s relative links', () => {
  const script = pkg.scripts['package'];
  assert.equal(typeof script, 'string', 'there is no package script');
  assert.match(script!, /\bvsce package\b/);
  assert.ok(!script!.includes('--allow-missing-repository'), 'the package script passes --allow-missing-repository');
  assert.ok(!script!.includes('--no-rewrite-relative-links'), 'the package script passes --no-rewrite-relative-links');
  // Base URLs given by hand would override the ones vsce derives from the repository.
  for (const flag of script!.matchAll(/--base(?:Content|Images)Url[= ](\S+)/g)) {
    assert.ok(flag[1]!.startsWith(repositoryUrl), `${flag[0]} does not point into ${repositoryUrl}`);
  }
});

test('the README starts with the two commands: run the default system, and pass every test (as CI runs it)', () => {
  const [run, testAll, ...rest] = firstCommands();
  assert.equal(run, 'npm ci && npm start');
  assert.equal(testAll, 'npm ci && npm test');
  assert.deepEqual(rest, [], 'the first code block has more than the two commands');
  assert.equal(typeof pkg.scripts['start'], 'string', 'there is no start script');
  assert.equal(typeof pkg.scripts['test'], 'string', 'there is no test script');
  // CI runs exactly the README's test command.
  const ci = readFileSync('.ci/run', 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .filter((l) => /\bnpm\b.*\btest\b/.test(l));
  assert.equal(ci.length, 1, `.ci/run should run the tests on one line: ${ci.join(' | ')}`);
  const command = ci[0]!.split(/\s+\|\|\s+/)[0]!.trim();
  assert.equal(command, testAll, `.ci/run runs \`${command}\`, the README says \`${testAll}\``);
});

test('every image the README shows is a file of the repository, left out of the .vsix (vsce links it to the repository)', () => {
  const images = readmeImages();
  assert.ok(images.length >= 4, `the README shows ${images.length} images`);
  for (const src of images) {
    assert.ok(!/^[a-z][\w+.-]*:/i.test(src), `${src} is not a path in the repository`);
    const file = decodeURIComponent(src.replace(/[?#].*$/, '')).replace(/^\.\//, '');
    assert.ok(!file.startsWith('/') && !file.split('/').includes('..'), `${src} is not a path in the repository`);
    assert.ok(existsSync(file) && statSync(file).isFile(), `the README shows ${src}, which does not exist`);
    // The choice made: screenshots stay out of the .vsix, and vsce rewrites their links to
    // ${repositoryUrl}/raw/HEAD/..., which needs the repository above and the rewriting on.
    assert.ok(!packaged(file), `${file} is packaged; the README's images are left out of the .vsix to keep it small`);
  }
});

test('.vscodeignore lets in what the listing needs and keeps docs/screenshots out', () => {
  for (const file of ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', pkg['icon'] as string]) {
    assert.ok(packaged(file), `${file} is not packaged`);
  }
  for (const file of ['docs/screenshots/system-view.png', 'docs/drivers.md']) {
    assert.ok(!packaged(file), `${file} is packaged`);
  }
});
