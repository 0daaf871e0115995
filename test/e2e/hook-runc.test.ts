// The user flow with runc alone: the hook in config.json, a busybox container.
import { userFlow } from '../helpers/hook-user-flow.js';

userFlow('runc');
