/**
 * @jest-environment node
 */
import { RULES, scanBundle, scanRepository, scanSource } from './react19';

/** A minimal webpack AMD bundle around `body`, with React external. */
const bundle = (body: string, deps = ['react', 'module']) =>
  `define(${JSON.stringify(deps)},(e,t)=>(()=>{"use strict";${body}})());`;

const rules = (findings: Array<{ rule: string }>) => [...new Set(findings.map((f) => f.rule))];

describe('React 19 readiness scan', () => {
  const sourceCases: Array<[string, string, string]> = [
    [
      'defaultProps on a function component',
      'function Row(p: Props) { return null; }\nRow.defaultProps = { a: 1 };',
      'Row',
    ],
    ['propTypes', 'const Row = () => null;\nRow.propTypes = { a: PropTypes.string };', 'propTypes'],
    ['string ref', 'return <input ref="name" />;', 'ref="name"'],
    ['string ref', 'const v = this.refs.name.value;', 'this.refs'],
    ['findDOMNode', "import { findDOMNode } from 'react-dom';\nfindDOMNode(this);", 'findDOMNode'],
    ['ReactDOM.render, hydrate or unmountComponentAtNode', 'ReactDOM.render(<App />, el);', 'ReactDOM.render'],
    ['ReactDOM.render, hydrate or unmountComponentAtNode', "import { render } from 'react-dom';", 'render'],
    ['ReactDOM.render, hydrate or unmountComponentAtNode', 'ReactDOM.hydrate(<App />, el);', 'hydrate'],
    ['ReactDOM.render, hydrate or unmountComponentAtNode', 'unmountComponentAtNode(el);', 'unmount'],
    ['legacy context', 'static contextTypes = { theme: PropTypes.object };', 'contextTypes'],
    ['legacy context', 'getChildContext() { return { theme }; }', 'getChildContext'],
    ['legacy context', 'static childContextTypes = {};', 'childContextTypes'],
    ['createFactory', 'const row = React.createFactory(Row);', 'createFactory'],
    ['React internals', 'React.__SECRET_INTERNALS_DO_NOT_USE_OR_YOU_WILL_BE_FIRED.ReactCurrentOwner', 'SECRET'],
    ['React internals', 'React.__CLIENT_INTERNALS_DO_NOT_USE_OR_WARN_USERS_THEY_CANNOT_UPGRADE.H', 'CLIENT'],
  ];

  it.each(sourceCases)('finds %s in source: %s', (rule, snippet, excerpt) => {
    const findings = scanSource(snippet, 'Editor.tsx');
    expect(rules(findings)).toEqual([rule]);
    expect(findings[0].excerpt).toContain(excerpt);
    expect(findings[0].file).toBe('Editor.tsx');
  });

  it('names the line of a finding', () => {
    const findings = scanSource('const a = 1;\n\nconst b = 2;\nRow.propTypes = {};\n');
    expect(findings.map((f) => f.line)).toEqual([4]);
  });

  const bundleCases: Array<[string, string]> = [
    ['defaultProps on a function component', 'function o(e){return null}o.defaultProps={size:"md"};'],
    ['propTypes', 'const o=e=>null;o.propTypes={a:1};'],
    ['string ref', 'e.createElement("input",{ref:"name"});'],
    ['findDOMNode', 't.findDOMNode(this)'],
    ['ReactDOM.render, hydrate or unmountComponentAtNode', 't.unmountComponentAtNode(n)'],
    ['legacy context', 'o.contextTypes={store:r};'],
    ['createFactory', 'const r=e.createFactory(o);'],
    ['React internals', 'e.__SECRET_INTERNALS_DO_NOT_USE_OR_YOU_WILL_BE_FIRED.ReactCurrentDispatcher'],
    ['bundled React or react/jsx-runtime', 'var r=Symbol.for("react.element"),a=Symbol.for("react.fragment");'],
    ['bundled React or react/jsx-runtime', 'var r=Symbol.for("react.transitional.element");function j(e,t,n){}'],
  ];

  it.each(bundleCases)('finds %s in a bundle: %s', (rule, body) => {
    expect(rules(scanBundle(bundle(body)))).toEqual([rule]);
  });

  it('finds a bundle that does not take React from Grafana', () => {
    expect(rules(scanBundle(bundle('', ['module', 'rxjs'])))).toEqual(['React is not external']);
  });

  it('has a detecting case for every rule', () => {
    const covered = new Set([...sourceCases, ...bundleCases].map((c) => c[0]));
    expect(RULES.map((r) => r.id).filter((id) => !covered.has(id))).toEqual([]);
  });

  it('accepts what React 19 still supports', () => {
    const ok = [
      'class Panel extends React.Component { static defaultProps = { size: 1 }; }',
      'class Panel extends React.Component {}\nPanel.defaultProps = { size: 1 };',
      'function Row({ size = 1 }: Props) { const ref = useRef(null); return <div ref={ref} />; }',
      "import { createRoot } from 'react-dom/client';\ncreateRoot(el).render(<App />);",
      'const Ctx = React.createContext(0); const v = useContext(Ctx);',
    ];
    for (const text of ok) {
      expect(scanSource(text)).toEqual([]);
    }
    expect(scanBundle(bundle('class o extends e.Component{}o.defaultProps={a:1};t.createRoot(n).render(r)'))).toEqual(
      []
    );
  });

  it('finds nothing in src and dist/module.js', () => {
    const { files, findings } = scanRepository();
    expect(findings).toEqual([]);
    expect(files).toBeGreaterThan(10);
  });
});
