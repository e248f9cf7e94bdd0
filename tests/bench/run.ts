/**
 * `npm run bench [-- <scenario ids> | small | large | all]`: @grafana/* needs browser globals before it loads, so they are installed
 * first and the benchmark itself is imported afterwards.
 */
import { installDom } from './dom';

installDom();
import('./bench')
  .then((bench) => bench.main(process.argv.slice(2)))
  .then(
    // Exit explicitly: the report is done even if a socket lingers.
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    }
  );
