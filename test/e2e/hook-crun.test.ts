// The same flow with crun, which refuses this machine's hybrid cgroups and so runs in a private
// mount namespace with its own cgroup2 mount (see runtimeCommand).
import { userFlow } from '../helpers/hook-user-flow.js';

userFlow('crun');
