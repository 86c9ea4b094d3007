"""The range of the seeds drawn from a random state."""

import numpy as np

# Seeds are drawn below the largest signed 32-bit integer: a seed that every
# estimator takes as random_state, and torch.manual_seed too.
MAX_SEED = np.iinfo(np.int32).max
