/** The tests poll with the relayer's own helper. */
export { waitFor } from '../relayer/src/wait.js';
