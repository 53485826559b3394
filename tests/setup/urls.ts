export const TEMPLATE_DB = 'simplebank_test_template';
export { withDatabase } from '../../src/platform/urls.js';
