"""chainrule's networks: neurons, layers and MLPs built from autograd Values."""
