obj-imsg/common/config_schema.o: common/config_schema.c common/config.h \
 common/imsg.h
common/config.h:
common/imsg.h:
