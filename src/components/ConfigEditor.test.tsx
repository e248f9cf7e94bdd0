import React, { useState } from 'react';
import { DataSourceSettings } from '@grafana/data';
import { fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import { OpenAIDataSourceOptions, OpenAISecureJsonData } from '../types';
import { ConfigEditor } from './ConfigEditor';
import { selectors } from './selectors';

type Settings = DataSourceSettings<OpenAIDataSourceOptions, OpenAISecureJsonData>;

function settings(patch: Partial<Settings> = {}): Settings {
  return {
    id: 1,
    uid: 'openai',
    orgId: 1,
    name: 'OpenAI',
    type: 'aiusage-openai-datasource',
    typeName: 'OpenAI Usage & Costs',
    typeLogoUrl: '',
    access: 'proxy',
    url: '',
    user: '',
    basicAuth: false,
    basicAuthUser: '',
    isDefault: false,
    jsonData: {},
    secureJsonFields: {},
    readOnly: false,
    withCredentials: false,
    ...patch,
  } as Settings;
}

/** Keeps the editor's state like Grafana's settings page does, and exposes the latest options. */
function renderEditor(initial: Settings = settings()) {
  const latest: { current: Settings } = { current: initial };
  function Harness() {
    const [options, setOptions] = useState(initial);
    return (
      <ConfigEditor
        options={options}
        onOptionsChange={(o) => {
          latest.current = o;
          setOptions(o);
        }}
      />
    );
  }
  render(<Harness />);
  return latest;
}

describe('ConfigEditor', () => {
  it('stores the admin key only in secureJsonData', async () => {
    const latest = renderEditor();
    await userEvent.type(screen.getByTestId(selectors.config.adminKey), 'sk-admin-secret123');
    expect(latest.current.secureJsonData?.adminApiKey).toBe('sk-admin-secret123');
    expect(JSON.stringify(latest.current.jsonData)).not.toContain('sk-admin');
    expect(screen.queryByTestId(selectors.config.keyHint)).not.toBeInTheDocument();
  });

  it('shows a configured key without its value and resets it', async () => {
    const latest = renderEditor(settings({ secureJsonFields: { adminApiKey: true } }));
    expect(screen.getByDisplayValue('configured')).toBeDisabled();
    await userEvent.click(screen.getByRole('button', { name: 'Reset' }));
    expect(latest.current.secureJsonFields.adminApiKey).toBe(false);
    expect(latest.current.secureJsonData?.adminApiKey).toBe('');
    // Nothing about the key but that there is none now, for Save & test.
    expect(latest.current.jsonData).toEqual({ adminKeyConfigured: false });
  });

  it('warns before saving when the key is a project key, with where to get an admin key and the scopes', async () => {
    renderEditor();
    await userEvent.type(screen.getByTestId(selectors.config.adminKey), 'sk-proj-abc');
    const hint = screen.getByTestId(selectors.config.keyHint);
    expect(hint).toHaveTextContent('This is a project API key, not an admin key');
    expect(hint).toHaveTextContent('api.usage.read');
    expect(hint).toHaveTextContent('api.management.read');
    expect(hint).toHaveTextContent('Audit logs');
    expect(screen.getByRole('link', { name: /Admin keys/ })).toHaveAttribute(
      'href',
      'https://platform.openai.com/settings/organization/admin-keys'
    );
  });

  it('warns when the text is not a key at all', async () => {
    renderEditor();
    await userEvent.type(screen.getByTestId(selectors.config.adminKey), 'my-password');
    expect(screen.getByTestId(selectors.config.keyHint)).toHaveTextContent('does not look like an OpenAI admin key');
  });

  it('fills in the OpenAI API as the URL of a new data source', () => {
    const latest = renderEditor();
    expect(latest.current.url).toBe('https://api.openai.com');
    expect(screen.getByTestId(selectors.config.apiUrl)).toHaveValue('https://api.openai.com');
    expect(screen.queryByTestId(selectors.config.keyHost)).not.toBeInTheDocument();
  });

  it('moves an endpoint saved in jsonData.apiUrl into the URL field', () => {
    const latest = renderEditor(
      settings({ jsonData: { apiUrl: 'https://gw.corp/openai/v1/', organizationId: 'org-a' } })
    );
    expect(latest.current.url).toBe('https://gw.corp/openai');
    expect(latest.current.jsonData).toEqual({ organizationId: 'org-a', adminKeyConfigured: false });
    expect(screen.getByTestId(selectors.config.apiUrl)).toHaveValue('https://gw.corp/openai');
  });

  it('keeps a URL already set over an old apiUrl, tidied', () => {
    const latest = renderEditor(
      settings({ url: 'https://api.openai.com/v1', jsonData: { apiUrl: 'https://old.corp' } })
    );
    expect(latest.current.url).toBe('https://api.openai.com');
    expect(latest.current.jsonData).not.toHaveProperty('apiUrl');
  });

  it('stores the URL tidied while typing, so saving with Enter never doubles /v1, and shows it tidied on blur', async () => {
    const latest = renderEditor();
    const input = screen.getByTestId(selectors.config.apiUrl);
    await userEvent.clear(input);
    await userEvent.type(input, ' https://proxy.corp/openai/v1/ ');
    expect(latest.current.url).toBe('https://proxy.corp/openai');
    expect(input).toHaveValue(' https://proxy.corp/openai/v1/ ');
    fireEvent.blur(input);
    expect(input).toHaveValue('https://proxy.corp/openai');
    expect(latest.current.jsonData).not.toHaveProperty('apiUrl');
  });

  it('says where the admin key will go when the host is not api.openai.com', async () => {
    renderEditor();
    const input = screen.getByTestId(selectors.config.apiUrl);
    await userEvent.clear(input);
    await userEvent.type(input, 'https://gateway.example:8443/openai');
    expect(screen.getByTestId(selectors.config.keyHost)).toHaveTextContent(
      'The admin key will be sent to gateway.example:8443'
    );
    await userEvent.clear(input);
    await userEvent.type(input, 'https://api.openai.com/v1');
    expect(screen.queryByTestId(selectors.config.keyHost)).not.toBeInTheDocument();
  });

  it('asks for a URL when the field is emptied', async () => {
    const latest = renderEditor();
    await userEvent.clear(screen.getByTestId(selectors.config.apiUrl));
    expect(latest.current.url).toBe('');
    expect(screen.getByText(/Enter the API's URL/)).toBeInTheDocument();
  });

  it('warns about plain http to a remote host', async () => {
    renderEditor();
    await userEvent.clear(screen.getByTestId(selectors.config.apiUrl));
    await userEvent.type(screen.getByTestId(selectors.config.apiUrl), 'http://proxy.corp');
    expect(screen.getByTestId(selectors.config.apiUrlWarning)).toHaveTextContent('unencrypted');
  });

  it('does not warn about http to localhost', async () => {
    renderEditor();
    await userEvent.clear(screen.getByTestId(selectors.config.apiUrl));
    await userEvent.type(screen.getByTestId(selectors.config.apiUrl), 'http://localhost:4010');
    expect(screen.queryByTestId(selectors.config.apiUrlWarning)).not.toBeInTheDocument();
  });

  it('validates the organization ID', async () => {
    const latest = renderEditor();
    const input = screen.getByTestId(selectors.config.organizationId);
    await userEvent.type(input, 'proj_abc');
    expect(screen.getByText(/An organization ID looks like org-/)).toBeInTheDocument();
    await userEvent.clear(input);
    await userEvent.type(input, 'org-sim0001');
    expect(screen.queryByText(/An organization ID looks like org-/)).not.toBeInTheDocument();
    expect(latest.current.jsonData.organizationId).toBe('org-sim0001');
  });

  it('says what is wrong with a provisioned organization ID', () => {
    renderEditor(settings({ jsonData: { organizationId: 'org-sim\n0001' } }));
    expect(screen.getByText(/Organization ID setting contains a line break/)).toBeInTheDocument();
  });

  it('stores the monthly budget as a number', async () => {
    const latest = renderEditor(settings({ jsonData: { monthlyBudget: 100 } }));
    const input = screen.getByTestId(selectors.config.monthlyBudget);
    expect(input).toHaveValue(100);
    await userEvent.clear(input);
    await userEvent.type(input, '250.5');
    expect(latest.current.jsonData.monthlyBudget).toBe(250.5);
    await userEvent.clear(input);
    expect(latest.current.jsonData).not.toHaveProperty('monthlyBudget');
  });

  it('has a tooltip for every field', async () => {
    renderEditor(settings({ jsonData: { monthlyBudget: 1 } }));
    for (const label of ['Admin API key', 'Organization ID', 'Monthly budget (USD)']) {
      expect(screen.getByLabelText(`About ${label}`)).toBeInTheDocument();
    }
    await userEvent.hover(screen.getByLabelText('About URL'));
    expect(await screen.findByText(/a trailing \/v1 is removed/)).toBeInTheDocument();
  });

  it("links to this plugin's documentation, the page plugin.json lists", async () => {
    renderEditor();
    const link = screen.getByRole('link', { name: /documentation/i });
    const plugin = jest.requireActual('../plugin.json');
    expect(link).toHaveAttribute(
      'href',
      plugin.info.links.find((l: { name: string }) => l.name === 'Documentation').url
    );
    expect(link.getAttribute('href')).not.toContain('platform.openai.com');
  });

  it('records whether it holds a key, so Save & test can ask for one first', async () => {
    const latest = renderEditor();
    expect(latest.current.jsonData.adminKeyConfigured).toBe(false);
    await userEvent.type(screen.getByTestId(selectors.config.adminKey), 'sk-admin-secret123');
    expect(latest.current.jsonData.adminKeyConfigured).toBe(true);
    const saved = renderEditor(settings({ secureJsonFields: { adminApiKey: true } }));
    expect(saved.current.jsonData.adminKeyConfigured).toBe(true);
  });
});
