/** Render against its fake: the provider conformance suite, then what only Render does. */
import { providerConformance } from './provider-conformance';
import { renderSubject } from './subjects/render';

providerConformance(renderSubject);
