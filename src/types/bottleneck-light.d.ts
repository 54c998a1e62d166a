// bottleneck's light build (no clustering) is the one @octokit/plugin-throttling uses; it has the
// same API as the full build, whose typings it shares.
declare module 'bottleneck/light.js' {
  import Bottleneck from 'bottleneck'
  export default Bottleneck
}
