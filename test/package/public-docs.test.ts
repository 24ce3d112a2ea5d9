import * as path from 'path';
import * as ts from 'typescript';

/**
 * STYLE.md §3 rule 2: every public member has a one-line doc. The public surface is what the
 * package's three entry points export (package.json `exports`); this test reads it as a user's
 * editor does, with the TypeScript compiler over the repo's tsconfig, and lists what would show
 * no doc on hover.
 */
const ROOT = path.join(__dirname, '..', '..');
const ENTRIES = ['lib/index.ts', 'lambdas/runtime/index.ts', 'lib/local/index.ts'];
/** A module with documented and undocumented exports of each kind, to show the walk finds them. */
const FIXTURE = path.join('test', 'package', 'fixtures', 'public-docs-fixture.ts');

/** One program for both tests (building it is most of the time): the entries and the fixture, with the repo's compiler options. */
function createProgram(root: string, files: readonly string[]): ts.Program {
  const config = ts.readConfigFile(path.join(root, 'tsconfig.json'), ts.sys.readFile);
  if (config.error) throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, '\n'));
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  return ts.createProgram(files.map((f) => path.join(root, f)), options);
}

/**
 * Exported symbols of `entries`, and the public members of exported classes, interfaces and enums
 * (own, inherited from the project's own types, static, and constructor parameter properties),
 * that carry no doc comment, as `file: Owner.member`. A doc inherited from a base class or an
 * implemented interface counts, as it shows on hover; so does a lone `@deprecated` tag. Private,
 * protected, `#private` and `_`-prefixed members are not public.
 */
function undocumentedPublicSymbols(program: ts.Program, root: string, entries: readonly string[]): string[] {
  const checker = program.getTypeChecker();

  const documented = (s: ts.Symbol) =>
    s.getDocumentationComment(checker).length > 0 || s.getJsDocTags(checker).some((t) => t.name === 'deprecated');
  const inProject = (d: ts.Node) => !d.getSourceFile().isDeclarationFile && !d.getSourceFile().fileName.includes(`${path.sep}node_modules${path.sep}`);
  const where = (d: ts.Node) => path.relative(root, d.getSourceFile().fileName);
  const isMember = (d: ts.Declaration) =>
    ts.isPropertyDeclaration(d) || ts.isMethodDeclaration(d) || ts.isGetAccessorDeclaration(d) || ts.isSetAccessorDeclaration(d) ||
    ts.isPropertySignature(d) || ts.isMethodSignature(d) || ts.isEnumMember(d) || ts.isParameterPropertyDeclaration(d, d.parent);
  const isPublic = (s: ts.Symbol, d: ts.Declaration) => {
    const name = (d as ts.NamedDeclaration).name;
    if (s.name.startsWith('_') || s.name === 'prototype' || (name && ts.isPrivateIdentifier(name))) return false;
    return !(ts.getCombinedModifierFlags(d) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected));
  };

  // Keyed by declaration: a type exported by two entries, or inherited by several, is listed once.
  const found = new Map<ts.Declaration, string>();
  for (const entry of entries) {
    const source = program.getSourceFile(path.join(root, entry));
    const module = source && checker.getSymbolAtLocation(source);
    if (!module) throw new Error(`${entry} is not a module of the program`);
    for (const exported of checker.getExportsOfModule(module)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const declaration = symbol.declarations?.[0];
      if (!declaration || !inProject(declaration)) continue;
      if (!documented(symbol)) found.set(declaration, `${where(declaration)}: ${exported.name}`);
      if (!(symbol.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Interface | ts.SymbolFlags.Enum))) continue;
      const members = [
        // Instance members, own and inherited (of a class, its parameter properties too).
        ...(symbol.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Interface) ? checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(symbol)) : []),
        // Static members of a class, and the members of an enum.
        ...(symbol.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Enum) ? checker.getPropertiesOfType(checker.getTypeOfSymbol(symbol)) : []),
      ];
      for (const member of members) {
        const d = member.declarations?.[0];
        if (!d || !inProject(d) || !isMember(d) || !isPublic(member, d) || documented(member)) continue;
        const owner = (ts.isParameter(d) ? d.parent.parent : d.parent) as ts.NamedDeclaration;
        found.set(d, `${where(d)}: ${owner.name?.getText() ?? exported.name}.${member.name}`);
      }
    }
  }
  return [...found.values()].sort();
}

describe('public API docs (STYLE §3 rule 2)', () => {
  let program: ts.Program;
  beforeAll(() => {
    program = createProgram(ROOT, [...ENTRIES, FIXTURE]);
  });

  test('GIVEN the three entry points WHEN their exports are read with the repo tsconfig THEN every exported symbol and public member has a doc comment', () => {
    // WHEN
    const undocumented = undocumentedPublicSymbols(program, ROOT, ENTRIES);
    // THEN the list names each one (file: Owner.member) when not empty
    expect(undocumented).toEqual([]);
  });

  test('GIVEN a module with undocumented exports THEN the walk reports them, and accepts docs, inherited docs and @deprecated', () => {
    // GIVEN the fixture module
    // WHEN
    const undocumented = undocumentedPublicSymbols(program, ROOT, [FIXTURE]);
    // THEN exactly the undocumented ones: private, protected, #private and _-prefixed members left out
    const at = (name: string) => `${FIXTURE}: ${name}`;
    expect(undocumented).toEqual([
      at('Bare'), at('Bare.field'), // an undocumented interface and its field
      at('Base.baseField'), // inherited from an unexported base: a member of the exported class all the same
      at('Color.RED'), // an enum member
      at('Documented.area'), // implements Shape.area, which has no doc to inherit
      at('Documented.count'), at('Documented.of'), at('Documented.side'), at('Documented.size'), // property, static, getter, parameter property
      at('Shape.area'), at('helper'),
    ]);
  });
});
