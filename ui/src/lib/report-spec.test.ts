import { describe, expect, it } from 'vitest';
import { toEngineReport } from './api';

describe('toEngineReport', () => {
  it('turns builder sections into the engine report spec, findings as text blocks', () => {
    const funnel = { dataset: 'shop', steps: [{ event: 'view_item' }, { event: 'purchase' }] };
    const out = toEngineReport({
      title: 'September review',
      sections: [
        { type: 'funnel', title: 'Checkout', spec: funnel as never, findings: 'Mobile leaks most.' },
        { type: 'text', title: '', text: 'Next steps.' },
        { type: 'funnel', title: 'Again', spec: funnel as never, findings: '  ' },
      ],
    });
    expect(out.page).toBe('A4');
    expect(out.sections).toEqual([
      { funnel, heading: 'Checkout' },
      { text: 'Mobile leaks most.' },
      { text: 'Next steps.', heading: undefined },
      { funnel, heading: 'Again' },
    ]);
  });
});
